"""Tool arguments that become FHIR search parameters: tokens with friendly names, dates, when.

A `Filter` turns one tool argument into `(name, value)` pairs. Vocabularies map the names a
person uses (USCDI's "vital signs", "problems", "discharge summary") to FHIR codes; a value
not in the vocabulary is passed through, so a server's own codes still work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from mcp_server.untrusted.quoting import quote_input

__all__ = [
    "CONDITION_CATEGORIES",
    "DOCUMENT_TYPES",
    "OBSERVATION_CATEGORIES",
    "Filter",
    "FilterValueError",
    "date_filter",
    "token_filter",
    "when_filter",
]

Params = list[tuple[str, str]]

OBSERVATION_CATEGORIES: Mapping[str, str] = {
    "laboratory": "laboratory",
    "lab": "laboratory",
    "labs": "laboratory",
    "vital-signs": "vital-signs",
    "vitals": "vital-signs",
    "social-history": "social-history",
    "smoking-status": "social-history",
    "imaging": "imaging",
    "procedure": "procedure",
    "survey": "survey",
    "sdoh": "sdoh",
    "exam": "exam",
    "therapy": "therapy",
    "activity": "activity",
}
CONDITION_CATEGORIES: Mapping[str, str] = {
    "problem-list-item": "problem-list-item",
    "problems": "problem-list-item",
    "problem-list": "problem-list-item",
    "encounter-diagnosis": "encounter-diagnosis",
    "diagnoses": "encounter-diagnosis",
    "health-concern": "health-concern",
    "health-concerns": "health-concern",
}
# US Core DocumentReference types (LOINC clinical-note codes).
DOCUMENT_TYPES: Mapping[str, str] = {
    "discharge-summary": "http://loinc.org|18842-5",
    "progress-note": "http://loinc.org|11506-3",
    "consult-note": "http://loinc.org|11488-4",
    "history-and-physical": "http://loinc.org|34117-2",
    "procedure-note": "http://loinc.org|28570-0",
    "imaging-narrative": "http://loinc.org|18748-4",
    "laboratory-report": "http://loinc.org|11502-2",
    "pathology-report": "http://loinc.org|11526-1",
}
_DATE = re.compile(r"(eq|ne|lt|gt|le|ge|sa|eb|ap)?\d{4}(-\d{2}(-\d{2}([T ][\d:.+\-Z]+)?)?)?")


class FilterValueError(ValueError):
    """A tool argument the filter cannot turn into search parameters."""


@dataclass(frozen=True)
class Filter:
    """One optional tool argument and how it becomes search parameters."""

    name: str
    description: str
    to_params: Callable[[str, date], Params]


def _key(value: str) -> str:
    return "-".join(value.strip().lower().replace("_", " ").split())


def token_filter(name: str, param: str, description: str, vocabulary: Mapping[str, str] | None = None) -> Filter:
    """`name=value` -> `param=code`, mapping friendly names through `vocabulary`; commas mean OR."""

    def to_params(value: str, today: date) -> Params:
        codes = [(vocabulary or {}).get(_key(part), part.strip()) for part in value.split(",") if part.strip()]
        return [(param, ",".join(codes))] if codes else []

    if vocabulary:
        # Codes that are URLs (LOINC document types) are listed by their friendly names, which say more in fewer tokens.
        codes = set(vocabulary.values())
        known = {key for key in vocabulary if key not in codes} if any("|" in code for code in codes) else codes
        description += " Known values: " + ", ".join(sorted(known)) + "."
    return Filter(name, description, to_params)


def date_filter(name: str, param: str, description: str) -> Filter:
    """FHIR date syntax: `2024`, `ge2024-01-01`, or two bounds `ge2024-01-01,lt2024-07-01`."""

    def to_params(value: str, today: date) -> Params:
        parts = [part.strip() for part in value.split(",") if part.strip()]
        for part in parts:
            if not _DATE.fullmatch(part):
                raise FilterValueError(
                    f"{name}={quote_input(part)} is not a FHIR date; "
                    "use e.g. 2024, ge2024-01-01 or ge2024-01-01,lt2024-07-01"
                )
        return [(param, part) for part in parts]

    return Filter(name, description, to_params)  # the date syntax is in the server's instructions


def when_filter(param: str) -> Filter:
    """`when=upcoming` (from today, soonest first) or `past` (before today, newest first)."""

    def to_params(value: str, today: date) -> Params:
        key = _key(value)
        if key in ("upcoming", "future", "next"):
            return [(param, f"ge{today.isoformat()}"), ("_sort", param)]
        if key in ("past", "previous", "history"):
            return [(param, f"lt{today.isoformat()}"), ("_sort", f"-{param}")]
        raise FilterValueError(f"when={quote_input(value)}: use 'upcoming' or 'past'")

    return Filter("when", "'upcoming' (soonest first) or 'past' (newest first).", to_params)
