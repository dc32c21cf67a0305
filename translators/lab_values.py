"""One lab component's result -> Observation ``value[x]``, ``referenceRange`` and ``interpretation``.

Value precedence: the display string ``value`` is what the lab reported, so it wins: ``"<89"`` /
``">=60"`` -> Quantity with ``comparator``; a plain number (``"5.4"``, ``"1,200"``) -> Quantity; any other
text (``"Negative"``) -> ``valueString``. ``numericValue`` is used only when ``value`` is empty, and only if
it is a finite JSON number (strings, booleans and NaN are junk). No value at all -> ``dataAbsentReason``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from translators.portal import PortalNode
from translators.systems import OBSERVATION_INTERPRETATION, data_absent_unknown
from translators.units import quantity

_NUMBER = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+"
_PLAIN_NUMBER = re.compile(_NUMBER)
_COMPARED_NUMBER = re.compile(rf"(<=|>=|<|>)\s*({_NUMBER})")
_RANGE = re.compile(rf"({_NUMBER})\s*(?:-|–|to)\s*({_NUMBER})")

INTERPRETATIONS: dict[str, tuple[str, str]] = {
    "high": ("H", "High"),
    "low": ("L", "Low"),
    "normal": ("N", "Normal"),
    "abnormal": ("A", "Abnormal"),
}
"""``abnormalFlagCategoryValue`` (lower-cased) -> v3-ObservationInterpretation code and display."""

_NOT_AN_INTERPRETATION = frozenset({"", "unknown"})


def decimal_from_text(text: str) -> Decimal | None:
    """A Decimal for a plain number (thousands separators allowed), else ``None``."""
    stripped = text.strip()
    if not _PLAIN_NUMBER.fullmatch(stripped):
        return None
    return Decimal(stripped.replace(",", ""))


def observation_value(result_info: PortalNode, unit: str | None) -> dict[str, Any]:
    """``valueQuantity`` / ``valueString`` / ``dataAbsentReason`` for a component's result."""
    display = result_info.get("value").text()
    if display is not None:
        if compared := _COMPARED_NUMBER.fullmatch(display):
            number = decimal_from_text(compared[2])
            if number is not None:
                return {"valueQuantity": quantity(number, unit, comparator=compared[1])}
        number = decimal_from_text(display)
        if number is not None:
            return {"valueQuantity": quantity(number, unit)}
        return {"valueString": display}
    numeric = result_info.get("numericValue").number()
    if numeric is not None:
        return {"valueQuantity": quantity(numeric, unit)}
    return {"dataAbsentReason": data_absent_unknown()}


def reference_range(range_node: PortalNode, unit: str | None) -> dict[str, Any] | None:
    """One ``referenceRange`` from Kaiser's range object; ``None`` when it says nothing."""
    if range_node.absent:
        return None
    if not range_node.is_object():
        range_node.get("formattedReferenceRange")  # records the type warning
        return None
    low_text = range_node.get("displayLow").text()
    high_text = range_node.get("displayHigh").text()
    formatted = range_node.get("formattedReferenceRange").text()
    low = decimal_from_text(low_text) if low_text else None
    high = decimal_from_text(high_text) if high_text else None
    if low is None and high is None and formatted:
        low, high = _bounds_from_formatted(formatted)
    text = formatted or _formatted_from_bounds(
        low_text,
        high_text,
        low_exclusive=range_node.get("lowerBoundExclusive").boolean() is True,
        high_exclusive=range_node.get("upperBoundExclusive").boolean() is True,
    )
    result: dict[str, Any] = {}
    if low is not None:
        result["low"] = quantity(low, unit)
    if high is not None:
        result["high"] = quantity(high, unit)
    if text:
        result["text"] = text
    return result or None


def interpretation(flag_node: PortalNode) -> dict[str, Any] | None:
    """``interpretation`` for Kaiser's abnormal flag; ``None`` for Unknown/empty (and, with a warning, others)."""
    flag = flag_node.text()
    if flag is None or flag.lower() in _NOT_AN_INTERPRETATION:
        return None
    mapped = INTERPRETATIONS.get(flag.lower())
    if mapped is None:
        flag_node.log.warn(flag_node.path, f"unmapped abnormal flag {flag!r}; interpretation omitted")
        return None
    code, display = mapped
    return {"coding": [{"system": OBSERVATION_INTERPRETATION, "code": code, "display": display}]}


def _bounds_from_formatted(formatted: str) -> tuple[Decimal | None, Decimal | None]:
    text = formatted.strip()
    if match := _RANGE.fullmatch(text):
        return decimal_from_text(match[1]), decimal_from_text(match[2])
    if match := _COMPARED_NUMBER.fullmatch(text):
        bound = decimal_from_text(match[2])
        return (bound, None) if match[1].startswith(">") else (None, bound)
    return None, None


def _formatted_from_bounds(
    low: str | None, high: str | None, *, low_exclusive: bool, high_exclusive: bool
) -> str | None:
    if low and high:
        return f"{low}-{high}"
    if low:
        return f"{'>' if low_exclusive else '>='}{low}"
    if high:
        return f"{'<' if high_exclusive else '<='}{high}"
    return None
