"""Collecting one analyte's results across sources as numeric points with units and reference ranges."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

__all__ = ["LabPoint", "is_code", "lab_point", "matches_name"]

_CODE = re.compile(r"(\S+\|)?\d{1,7}-\d")


@dataclass(frozen=True)
class LabPoint:
    when: date
    value: float
    comparator: str
    unit: str
    low: float | None
    high: float | None
    flag: str
    name: str
    source: str
    ref: str
    status: str = ""


def is_code(text: str) -> bool:
    """Whether `text` is a LOINC-like code or `system|code`, rather than a name."""
    return bool(_CODE.fullmatch(text.strip())) or "|" in text


def matches_name(resource: Mapping[str, Any], wanted: str) -> bool:
    """Case-insensitive match of `wanted` against the code's text, displays and codes."""
    concept = resource.get("code")
    if not isinstance(concept, Mapping):
        return False
    texts = [concept.get("text")]
    for coding in concept.get("coding") or []:
        if isinstance(coding, Mapping):
            texts += [coding.get("display"), coding.get("code")]
    needle = wanted.strip().lower()
    return any(isinstance(t, str) and needle in t.lower() for t in texts)


def _concept_name(concept: Any) -> str:
    """A CodeableConcept's text, else its first coding's display, else its first code."""
    if not isinstance(concept, Mapping):
        return ""
    if isinstance(concept.get("text"), str) and concept["text"].strip():
        return str(concept["text"]).strip()
    codings = [c for c in concept.get("coding") or [] if isinstance(c, Mapping)]
    for key in ("display", "code"):
        for coding in codings:
            if isinstance(coding.get(key), str) and coding[key].strip():
                return str(coding[key]).strip()
    return ""


def _first_date(resource: Mapping[str, Any], *paths: str) -> str:
    """The date part of the first present element among dotted ``paths`` (``effectivePeriod.start``)."""
    for path in paths:
        value: Any = resource
        for key in path.split("."):
            value = value.get(key) if isinstance(value, Mapping) else None
        if isinstance(value, str) and value.strip():
            return value.strip()[:10]
    return ""


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def lab_point(resource: Mapping[str, Any], source: str) -> LabPoint | None:
    """The resource as a point, when it has a numeric value and a date."""
    quantity = resource.get("valueQuantity")
    when = _first_date(resource, "effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued")
    if not isinstance(quantity, Mapping) or not when:
        return None
    value = _number(quantity.get("value"))
    try:
        day = date.fromisoformat(when)
    except ValueError:
        return None
    if value is None:
        return None
    ranges = [r for r in resource.get("referenceRange") or [] if isinstance(r, Mapping)]
    low = high = None
    if ranges:
        low_q, high_q = ranges[0].get("low"), ranges[0].get("high")
        low = _number(low_q.get("value")) if isinstance(low_q, Mapping) else None
        high = _number(high_q.get("value")) if isinstance(high_q, Mapping) else None
    flag = ""
    for concept in resource.get("interpretation") or []:
        for coding in (concept.get("coding") if isinstance(concept, Mapping) else None) or []:
            if isinstance(coding, Mapping) and isinstance(coding.get("code"), str):
                flag = flag or str(coding["code"])
    unit = quantity.get("unit") or quantity.get("code") or ""
    comparator = quantity.get("comparator")
    return LabPoint(
        when=day,
        value=value,
        comparator=comparator if isinstance(comparator, str) else "",
        unit=str(unit),
        low=low,
        high=high,
        flag=flag,
        name=_concept_name(resource.get("code")),
        source=source,
        ref=f"Observation/{resource.get('id')}",
        status=str(resource.get("status") or ""),
    )
