"""Short, single-line text for FHIR datatypes (CodeableConcept, Quantity, Range, names, dates).

These feed the one-row-per-resource summaries the model reads; each returns `""` when the
element is absent or unusable, so callers can drop empty cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "concept_text",
    "date_part",
    "first_date",
    "human_name",
    "number_text",
    "quantity_text",
    "range_text",
    "ratio_text",
    "reference_text",
]


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def concept_text(concept: Any) -> str:
    """A CodeableConcept's text, else its first coding's display, else its first code."""
    concept = _dict(concept)
    if text := _str(concept.get("text")):
        return text
    codings = [c for c in concept.get("coding") or [] if isinstance(c, Mapping)]
    for key in ("display", "code"):
        for coding in codings:
            if value := _str(coding.get(key)):
                return value
    return ""


def number_text(value: Any) -> str:
    """A FHIR decimal or integer as written (`5.40` stays `5.40` when it came as a string)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return ""
    return str(value)


def quantity_text(quantity: Any) -> str:
    """`<comparator><value> <unit>`, e.g. `<0.5 mg/dL`."""
    quantity = _dict(quantity)
    value = number_text(quantity.get("value"))
    if not value:
        return ""
    unit = _str(quantity.get("unit")) or _str(quantity.get("code"))
    return f"{_str(quantity.get('comparator'))}{value} {unit}".strip()


def range_text(range_: Any) -> str:
    """`low-high unit`, `>=low unit` or `<=high unit`."""
    range_ = _dict(range_)
    low, high = _dict(range_.get("low")), _dict(range_.get("high"))
    low_value, high_value = number_text(low.get("value")), number_text(high.get("value"))
    unit = _str(high.get("unit")) or _str(low.get("unit"))
    if low_value and high_value:
        text = f"{low_value}-{high_value}"
    elif low_value:
        text = f">={low_value}"
    elif high_value:
        text = f"<={high_value}"
    else:
        return ""
    return f"{text} {unit}".strip()


def ratio_text(ratio: Any) -> str:
    """`numerator/denominator`, each a Quantity."""
    ratio = _dict(ratio)
    numerator, denominator = quantity_text(ratio.get("numerator")), quantity_text(ratio.get("denominator"))
    return f"{numerator}/{denominator}" if numerator and denominator else numerator


def reference_text(reference: Any) -> str:
    """A Reference's display, else its literal reference."""
    reference = _dict(reference)
    return _str(reference.get("display")) or _str(reference.get("reference"))


def human_name(names: Any) -> str:
    """The official (else usual, else first) HumanName as `Given Family`."""
    candidates = [n for n in names if isinstance(n, Mapping)] if isinstance(names, list) else []
    if not candidates:
        return ""
    chosen = next(
        (n for use in ("official", "usual") for n in candidates if n.get("use") == use),
        candidates[0],
    )
    if text := _str(chosen.get("text")):
        return text
    given = [g for g in chosen.get("given") or [] if isinstance(g, str)]
    return " ".join([*given, _str(chosen.get("family"))]).strip()


def date_part(value: Any) -> str:
    """The calendar-date part of a FHIR date, dateTime or instant (`2024-03-01`)."""
    return _str(value)[:10]


def first_date(resource: Mapping[str, Any], *paths: str) -> str:
    """The date part of the first present element among dotted `paths` (`effectivePeriod.start`)."""
    for path in paths:
        value: Any = resource
        for key in path.split("."):
            value = _dict(value).get(key)
        if text := date_part(value):
            return text
    return ""
