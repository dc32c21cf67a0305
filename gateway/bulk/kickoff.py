"""The Bulk Data kick-off request: which level, which types, since when, in which format.

Parsed and validated before any job starts (Bulk Data Access IG v2 kick-off). ``Prefer: respond-async``
is required; ``_outputFormat`` accepts ``application/fhir+ndjson`` and its two abbreviations; parameters
fhirgate does not implement (``_typeFilter``, ``patient``, ``includeAssociatedData``, ``_elements``,
``organizeOutputBy``) are refused unless ``Prefer: handling=lenient``, when they are ignored and named in
the manifest's errors.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from gateway.bulk.record import EXPORTABLE_TYPES
from gateway.search import InvalidSearchError, UnsupportedSearchError, parse_date_range

NDJSON_FORMATS = frozenset({"application/fhir+ndjson", "application/ndjson", "ndjson"})
_KNOWN = frozenset({"_type", "_since", "_outputFormat", "_format"})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ExportLevel(enum.StrEnum):
    """``[base]/$export`` (every resource) or ``[base]/Patient/$export`` (the patients' compartments)."""

    SYSTEM = "system"
    PATIENT = "patient"


@dataclass(frozen=True)
class ExportRequest:
    """A validated kick-off: the resources asked for and the URL the client called (for the manifest)."""

    level: ExportLevel
    types: tuple[str, ...]
    since: datetime | None
    request_url: str
    ignored: tuple[str, ...] = ()


def _prefers(prefer: str) -> set[str]:
    return {part.strip().lower() for part in prefer.replace(";", ",").split(",") if part.strip()}


def _types(raw: Sequence[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(t.strip() for t in ",".join(raw).split(",") if t.strip()))
    for name in names:
        if name not in EXPORTABLE_TYPES:
            raise UnsupportedSearchError(f"_type: {name[:64]!r} is not a resource type this server exports")
    return names or EXPORTABLE_TYPES


def _since(raw: str) -> datetime:
    found = parse_date_range(raw.replace(" ", "+"))
    if found is None or "T" not in raw:
        raise InvalidSearchError(f"_since must be an instant (e.g. 2024-01-01T00:00:00Z), not {raw[:64]!r}")
    return _EPOCH + timedelta(microseconds=found.low)


def parse_kickoff(
    level: ExportLevel, params: Mapping[str, Sequence[str]], prefer: str, request_url: str
) -> ExportRequest:
    """Validate a kick-off; raises ``InvalidSearchError``/``UnsupportedSearchError`` (400 OperationOutcome)."""
    prefers = _prefers(prefer)
    if "respond-async" not in prefers:
        raise InvalidSearchError("a Bulk Data kick-off needs the header Prefer: respond-async")
    unknown = tuple(name for name in params if name not in _KNOWN)
    if unknown and "handling=lenient" not in prefers:
        raise UnsupportedSearchError(f"unsupported $export parameter {unknown[0][:64]!r}")
    # The IG's own examples send the '+' unescaped, which a query string decodes as a space.
    formats = [fmt.replace(" ", "+") for fmt in params.get("_outputFormat", ())]
    for fmt in formats:
        if fmt not in NDJSON_FORMATS:
            raise UnsupportedSearchError(f"_outputFormat {fmt[:64]!r} is not supported; use application/fhir+ndjson")
    since_values = params.get("_since", ())
    since = _since(since_values[-1]) if since_values else None
    return ExportRequest(level, _types(params.get("_type", ())), since, request_url, unknown)
