"""FHIR JSON text with decimals kept exactly as written: ``1.50`` stays ``1.50``, never ``1.5``.

FHIR requires a decimal's precision to be kept (R4 datatypes, "decimal"), but Python floats and the
fhir.resources models drop trailing zeros. Translators therefore emit decimals as :class:`FhirDecimal`, a
``float`` that remembers its text: it compares, hashes, sorts and indexes like the float it is, and
``json.dumps`` still accepts it (writing the float), so no consumer breaks. Only :func:`dumps` writes the
exact text, and :func:`loads` reads numbers back as :class:`FhirDecimal`, so stored JSON round-trips byte
for byte. Output of :func:`dumps` is byte-identical to ``json.dumps(value, separators=(",", ":"),
ensure_ascii=False)`` except for the decimals.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

__all__ = ["FhirDecimal", "dumps", "fhir_decimal", "loads"]

_DECIMAL_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
"""FHIR's ``decimal`` regex (R4 datatypes), which is also JSON's number grammar."""


class FhirDecimal(float):
    """A FHIR ``decimal``: a float for arithmetic and comparison, plus the exact text :func:`dumps` writes."""

    __slots__ = ("text",)
    text: str

    def __new__(cls, text: str) -> FhirDecimal:
        if not _DECIMAL_TEXT.fullmatch(text):
            raise ValueError(f"not a FHIR decimal: {text!r}")
        value = super().__new__(cls, text)
        if not math.isfinite(value):
            raise ValueError(f"decimal out of range: {text!r}")
        value.text = text
        return value

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__

    def __getnewargs__(self) -> tuple[str]:  # type: ignore[override]  # copy/pickle rebuild from the text
        return (self.text,)


def fhir_decimal(value: Decimal | float) -> FhirDecimal:
    """``value`` as a :class:`FhirDecimal`; a :class:`~decimal.Decimal` keeps its exponent (``1.50``)."""
    if isinstance(value, FhirDecimal):
        return value
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        # Positional notation keeps trailing zeros; only a positive exponent (from "1E+3") needs E-notation.
        text = format(value, "f") if isinstance(exponent, int) and exponent <= 0 else str(value)
        return FhirDecimal(text)
    return FhirDecimal(float.__repr__(float(value)))


def loads(text: str | bytes) -> Any:
    """Parse FHIR JSON; every number with a fraction or exponent becomes a :class:`FhirDecimal` of its text."""
    return json.loads(text, parse_float=FhirDecimal)


def dumps(value: Any, *, sort_keys: bool = False) -> str:
    """Compact JSON text (UTF-8 kept), decimals written with their precision."""
    parts: list[str] = []
    _write(value, parts, sort_keys)
    return "".join(parts)


def _write(value: Any, parts: list[str], sort_keys: bool) -> None:
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, FhirDecimal):
        parts.append(value.text)
    elif isinstance(value, Decimal):
        parts.append(fhir_decimal(value).text)
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"JSON has no {value!r}")
        parts.append(float.__repr__(value))
    elif isinstance(value, dict):
        _write_object(value, parts, sort_keys)
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            if index:
                parts.append(",")
            _write(item, parts, sort_keys)
        parts.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _write_object(value: dict[Any, Any], parts: list[str], sort_keys: bool) -> None:
    parts.append("{")
    keys = sorted(value) if sort_keys else list(value)
    for index, key in enumerate(keys):
        if not isinstance(key, str):
            raise TypeError(f"JSON object keys must be strings, got {type(key).__name__}")
        if index:
            parts.append(",")
        parts.append(encode_basestring(key))
        parts.append(":")
        _write(value[key], parts, sort_keys)
    parts.append("}")
