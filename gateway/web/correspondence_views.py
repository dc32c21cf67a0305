"""Visits with their notes, message threads and documents: the record's prose. Text from a source is
shown autoescaped; its HTML (notes, message bodies) only after nh3 (``sanitised_html``); PDFs are embedded
from ``/binary/{id}`` (served with the session cookie, never through the facade's token)."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from gateway.web.fhir_display import attachment_text, concept_text, date_text, displays, sanitised_html
from gateway.web.record_reading import FactOrigin, RecordReader, Resource, origin_of

__all__ = [
    "DocumentView",
    "MessageView",
    "ThreadSummary",
    "VisitView",
    "document_view",
    "documents",
    "thread",
    "threads",
    "visits",
]

_THREAD_SYSTEM = "urn:fhirgate:kaiser:nca:thread"


@dataclass(frozen=True)
class NoteLink:
    title: str
    url: str


@dataclass(frozen=True)
class VisitView:
    when: str
    kind: str
    service: str
    status: str
    clinicians: str
    place: str
    reasons: str
    notes: list[NoteLink]
    origin: FactOrigin


@dataclass(frozen=True)
class MessageView:
    sent: str
    sender: str
    recipients: str
    text: str
    html: list[Markup]
    origin: FactOrigin


@dataclass(frozen=True)
class ThreadSummary:
    subject: str
    latest: str
    count: int
    url: str


@dataclass(frozen=True)
class DocumentView:
    title: str
    kind: str
    when: str
    authors: str
    html: list[Markup] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    pdf_urls: list[str] = field(default_factory=list)
    origin: FactOrigin | None = None
    url: str = ""


def visits(reader: RecordReader) -> list[VisitView]:
    notes_of: dict[str, list[NoteLink]] = {}
    for document in reader.all("DocumentReference"):
        for encounter in (document.get("context") or {}).get("encounter") or []:
            title = str(document.get("description") or concept_text(document.get("type")) or "Note")
            notes_of.setdefault(str(encounter.get("reference", "")), []).append(
                NoteLink(title, f"/documents/{document.get('id')}")
            )
    found = []
    for encounter in reader.all("Encounter"):
        people = displays(encounter.get("participant"), "individual")
        places = displays(encounter.get("location"), "location")
        found.append(
            VisitView(
                when=date_text((encounter.get("period") or {}).get("start")),
                kind=displays(encounter.get("type")),
                service=concept_text(encounter.get("serviceType")),
                status=str(encounter.get("status", "")),
                clinicians=people,
                place=places,
                reasons=displays(encounter.get("reasonCode")),
                notes=notes_of.get(f"Encounter/{encounter.get('id')}", []),
                origin=origin_of(encounter),
            )
        )
    return sorted(found, key=lambda v: v.when, reverse=True)


def _thread_key(message: Resource) -> str:
    for identifier in message.get("identifier") or []:
        if identifier.get("system") == _THREAD_SYSTEM and identifier.get("value"):
            return str(identifier["value"])
    return f"single:{message.get('id')}"


def threads(reader: RecordReader) -> list[ThreadSummary]:
    grouped: dict[str, list[Resource]] = {}
    for message in reader.all("Communication"):
        grouped.setdefault(_thread_key(message), []).append(message)
    summaries = []
    for messages in grouped.values():
        messages.sort(key=lambda m: str(m.get("sent") or ""))
        first = messages[0]
        subject = concept_text(first.get("topic")) or "(no subject)"
        summaries.append(
            ThreadSummary(subject, date_text(messages[-1].get("sent")), len(messages), f"/messages/{first.get('id')}")
        )
    return sorted(summaries, key=lambda s: s.latest, reverse=True)


def thread(reader: RecordReader, message_id: str) -> tuple[str, list[MessageView]] | None:
    """The subject and every message of the thread ``message_id`` belongs to, oldest first."""
    chosen = reader.one("Communication", message_id)
    if chosen is None:
        return None
    key = _thread_key(chosen)
    members = (
        [m for m in reader.all("Communication") if _thread_key(m) == key] if not key.startswith("single:") else [chosen]
    )
    members.sort(key=lambda m: str(m.get("sent") or ""))
    return concept_text(chosen.get("topic")) or "(no subject)", [_message(m) for m in members]


def _message(message: Resource) -> MessageView:
    texts, html = [], []
    for part in message.get("payload") or []:
        if part.get("contentString"):
            texts.append(str(part["contentString"]))
        attachment = part.get("contentAttachment") or {}
        if str(attachment.get("contentType", "")).startswith("text/html"):
            decoded = attachment_text(attachment)
            if decoded is not None:
                html.append(sanitised_html(decoded))
    return MessageView(
        sent=date_text(message.get("sent")),
        sender=str((message.get("sender") or {}).get("display") or ""),
        recipients=displays(message.get("recipient")),
        text="\n\n".join(texts) if not html else "",
        html=html,
        origin=origin_of(message),
    )


def documents(reader: RecordReader) -> list[DocumentView]:
    found = [_document_heading(d) for d in reader.all("DocumentReference")]
    return sorted(found, key=lambda d: d.when, reverse=True)


def _document_heading(document: Resource) -> DocumentView:
    return DocumentView(
        title=str(document.get("description") or concept_text(document.get("type")) or "Document"),
        kind=concept_text(document.get("type")),
        when=date_text(document.get("date")),
        authors=displays(document.get("author")),
        origin=origin_of(document),
        url=f"/documents/{document.get('id')}",
    )


def document_view(reader: RecordReader, document_id: str) -> DocumentView | None:
    document = reader.one("DocumentReference", document_id)
    if document is None:
        return None
    view = _document_heading(document)
    for content in document.get("content") or []:
        attachment = content.get("attachment") or {}
        kind = str(attachment.get("contentType", ""))
        url = str(attachment.get("url") or "")
        if kind.startswith("application/pdf") and url.startswith("Binary/"):
            view.pdf_urls.append("/binary/" + url.removeprefix("Binary/"))
        elif kind.startswith(("text/html", "text/plain")):
            decoded = attachment_text(attachment)
            if decoded is None and url.startswith("Binary/"):
                binary = reader.one("Binary", url.removeprefix("Binary/"))
                decoded = None if binary is None else attachment_text(binary)
            if decoded is not None and kind.startswith("text/html"):
                view.html.append(sanitised_html(decoded))
            elif decoded is not None:
                view.text.append(decoded)
    return view
