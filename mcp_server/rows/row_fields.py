"""The named columns of one answer row (date, name, value, unit, range, flag, status), for structured output.

The text rows come from `summaries` (richer, per type); these columns are the compact,
typed copy sent as `structuredContent`, the same for every resource type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp_server.rows.fhir_text import concept_text, first_date, number_text, range_text, reference_text
from mcp_server.rows.summaries import summarize

__all__ = ["COLUMNS", "row_fields"]

COLUMNS = ("source", "id", "date", "name", "value", "unit", "range", "flag", "status")

_DATE_PATHS = (
    "effectiveDateTime",
    "effectivePeriod.start",
    "effectiveInstant",
    "occurrenceDateTime",
    "authoredOn",
    "onsetDateTime",
    "recordedDate",
    "performedDateTime",
    "period.start",
    "start",
    "sent",
    "date",
    "issued",
    "whenHandedOver",
    "birthDate",
)


def _name(resource: Mapping[str, Any]) -> str:
    for key in ("code", "vaccineCode", "medicationCodeableConcept", "type", "category", "topic", "class"):
        value = resource.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if text := concept_text(value):
            return text
    if text := reference_text(resource.get("medicationReference")):
        return text
    cells = summarize(resource).cells
    return cells[1] if resource.get("resourceType") == "Patient" and len(cells) > 1 else ""


def _value_unit(resource: Mapping[str, Any]) -> tuple[str, str]:
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, Mapping):
        comparator = quantity.get("comparator")
        value = f"{comparator if isinstance(comparator, str) else ''}{number_text(quantity.get('value'))}"
        unit = quantity.get("unit") or quantity.get("code")
        return value, unit if isinstance(unit, str) else ""
    if "valueCodeableConcept" in resource:
        return concept_text(resource["valueCodeableConcept"]), ""
    for key in ("valueString", "valueInteger", "valueBoolean", "valueDateTime"):
        if key in resource:
            value = resource[key]
            return (str(value).lower() if isinstance(value, bool) else str(value))[:80], ""
    return "", ""


def _flag(resource: Mapping[str, Any]) -> str:
    for concept in resource.get("interpretation") or []:
        for coding in (concept.get("coding") if isinstance(concept, Mapping) else None) or []:
            if isinstance(coding, Mapping) and isinstance(coding.get("code"), str):
                return str(coding["code"])
    return ""


def _range(resource: Mapping[str, Any]) -> str:
    ranges = [r for r in resource.get("referenceRange") or [] if isinstance(r, Mapping)]
    if not ranges:
        return ""
    written = ranges[0].get("text")
    return range_text(ranges[0]) or (written if isinstance(written, str) else "")


def _status(resource: Mapping[str, Any]) -> str:
    status = resource.get("status")
    if isinstance(status, str):
        return status
    return concept_text(resource.get("clinicalStatus"))


def row_fields(resource: Mapping[str, Any], source: str) -> list[str]:
    """The row's cells in `COLUMNS` order (`id` is `Type/id`)."""
    value, unit = _value_unit(resource)
    return [
        source,
        f"{resource.get('resourceType')}/{resource.get('id')}",
        first_date(resource, *_DATE_PATHS),
        _name(resource),
        value,
        unit,
        _range(resource),
        _flag(resource),
        _status(resource),
    ]
