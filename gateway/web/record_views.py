"""The overview and the timeline: plain view objects built from the store, so the pages stay thin.

Overview: each portal surface's last sync and what to do when it failed, counts, and what changed here
since the person last looked (``meta.lastUpdated`` against ``LastLooked``). Timeline: visits, results,
messages, documents and medication changes in one list, newest first, filtered by kind and source."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from gateway.web.fhir_display import concept_text, date_text, displays
from gateway.web.practice_reading import PracticeState
from gateway.web.record_reading import LIVE, FactOrigin, RecordReader, Resource, origin_of

__all__ = [
    "NEWS",
    "TIMELINE_KINDS",
    "Overview",
    "Page",
    "SourceState",
    "TimelineEntry",
    "overview",
    "paged",
    "timeline",
]

PAGE_SIZE = 50
NEWS = (
    ("results", "new results", "DiagnosticReport", "/labs"),
    ("messages", "new messages", "Communication", "/messages"),
    ("notes", "new visit notes and documents", "DocumentReference", "/documents"),
    ("appointments", "new or changed appointments", "Appointment", "/record/appointments"),
)
COUNTED = (
    ("Lab results", "Observation"),
    ("Reports", "DiagnosticReport"),
    ("Visits", "Encounter"),
    ("Messages", "Communication"),
    ("Documents", "DocumentReference"),
    ("Medications", "MedicationRequest"),
    ("Problems", "Condition"),
    ("Allergies", "AllergyIntolerance"),
    ("Appointments", "Appointment"),
)
TIMELINE_KINDS = {
    "visit": ("Visit", "Encounter"),
    "result": ("Result", "DiagnosticReport"),
    "message": ("Message", "Communication"),
    "document": ("Document", "DocumentReference"),
    "medication": ("Medication change", "MedicationRequest"),
}


@dataclass(frozen=True)
class SourceState:
    source: str
    surface: str
    last_success: str
    failing: bool
    error: str
    action: str
    """What the person can do ("Sign in again: run ``fhirgate login kaiser``"), empty when all is well."""
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    sources: list[SourceState]
    counts: list[tuple[str, int]]
    news: list[tuple[str, int, str]]
    last_looked: str | None
    practices: list[PracticeState]


@dataclass(frozen=True)
class TimelineEntry:
    when: str
    kind: str
    title: str
    detail: str
    url: str
    origin: FactOrigin


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    pages: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def paged(items: list[Any], number: int, size: int = PAGE_SIZE) -> Page:
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    return Page(items[(number - 1) * size : number * size], number, pages, len(items))


def overview(
    reader: RecordReader, last_looked: datetime | None, practices: list[PracticeState] | None = None
) -> Overview:
    sources = [_source_state(state) for state in reader.store.surface_states()]
    counts = [(label, len(reader.stored(kind))) for label, kind in COUNTED]
    news = []
    for _, label, resource_type, url in NEWS:
        news.append((label, reader.updated_since(resource_type, last_looked), url))
    looked = None if last_looked is None else f"{last_looked:%Y-%m-%d %H:%M} UTC"
    return Overview(sources, [c for c in counts if c[1]], news, looked, practices or [])


def _source_state(state: Any) -> SourceState:
    error = str(state.last_error or "")
    action = ""
    if state.failing:
        signed_out = "login" in error.lower() or "sign in" in error.lower() or "session" in error.lower()
        action = "Sign in again: run fhirgate login kaiser" if signed_out else "Try again later: run fhirgate sync"
    when = "never" if state.last_success is None else f"{state.last_success:%Y-%m-%d %H:%M} UTC"
    return SourceState("Kaiser", state.surface, when, state.failing, error[:200], action, tuple(state.problems)[:5])


def timeline(reader: RecordReader, kind: str | None, source: str | None) -> tuple[list[TimelineEntry], list[str]]:
    """The entries (newest first) and every source present (for the source filter)."""
    entries: list[TimelineEntry] = []
    for slug, (label, resource_type) in TIMELINE_KINDS.items():
        if kind and kind != slug:
            continue
        for resource in reader.all(resource_type):
            entry = _entry(slug, label, resource)
            if entry is not None and entry.origin.surface == LIVE:  # the app's own pages show the store only
                entry = replace(entry, url=entry.origin.json_url)
            if entry is not None:
                entries.append(entry)
    sources = sorted({e.origin.source for e in entries})
    if source:
        entries = [e for e in entries if e.origin.source == source]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries, sources


def _entry(slug: str, label: str, resource: Resource) -> TimelineEntry | None:
    origin = origin_of(resource)
    resource_id = str(resource.get("id"))
    if slug == "visit":
        period = resource.get("period") or {}
        title = displays(resource.get("type")) or "Visit"
        detail = f"{concept_text(resource.get('serviceType'))} · {resource.get('status', '')}"
        return TimelineEntry(date_text(period.get("start")), label, title, detail, "/visits", origin)
    if slug == "result":
        when = date_text(resource.get("effectiveDateTime") or resource.get("issued"))
        title = concept_text(resource.get("code")) or "Result"
        return TimelineEntry(
            when, label, title, str(resource.get("conclusion") or ""), f"/labs/reports/{resource_id}", origin
        )
    if slug == "message":
        sender = (resource.get("sender") or {}).get("display", "")
        title = concept_text(resource.get("topic")) or "Message"
        return TimelineEntry(
            date_text(resource.get("sent")), label, title, f"from {sender}", f"/messages/{resource_id}", origin
        )
    if slug == "document":
        title = str(resource.get("description") or concept_text(resource.get("type")) or "Document")
        return TimelineEntry(
            date_text(resource.get("date")),
            label,
            title,
            concept_text(resource.get("type")),
            f"/documents/{resource_id}",
            origin,
        )
    medication = (resource.get("medicationReference") or {}).get("display") or concept_text(
        resource.get("medicationCodeableConcept")
    )
    detail = f"prescribed · {resource.get('status', '')}"
    return TimelineEntry(
        date_text(resource.get("authoredOn")),
        label,
        str(medication or "Medication"),
        detail,
        "/record/medications",
        origin,
    )
