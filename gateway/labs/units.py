"""Unit normalisation for lab trends: convert only where UCUM makes it a pure scale change.

mg/dL -> g/L is a factor of 0.01; mg/dL -> mmol/L needs the analyte's molar mass, which UCUM
does not give, so values in another dimension are left as they are and the trend says so.
"""

from __future__ import annotations

__all__ = ["convert", "dimension"]

# unit (lower case, as written or as the UCUM code) -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "g/l": ("mass/vol", 1.0),
    "g/dl": ("mass/vol", 10.0),
    "mg/dl": ("mass/vol", 0.01),
    "mg/l": ("mass/vol", 1e-3),
    "ug/dl": ("mass/vol", 1e-5),
    "ug/l": ("mass/vol", 1e-6),
    "ng/ml": ("mass/vol", 1e-6),
    "ng/dl": ("mass/vol", 1e-8),
    "pg/ml": ("mass/vol", 1e-9),
    "mol/l": ("amount/vol", 1.0),
    "mmol/l": ("amount/vol", 1e-3),
    "umol/l": ("amount/vol", 1e-6),
    "nmol/l": ("amount/vol", 1e-9),
    "pmol/l": ("amount/vol", 1e-12),
    "eq/l": ("equivalents/vol", 1.0),
    "meq/l": ("equivalents/vol", 1e-3),
    "10*3/ul": ("count/vol", 1e9),
    "k/ul": ("count/vol", 1e9),
    "10*9/l": ("count/vol", 1e9),
    "10*6/ul": ("count/vol", 1e12),
    "m/ul": ("count/vol", 1e12),
    "10*12/l": ("count/vol", 1e12),
    "/ul": ("count/vol", 1e6),
    "u/l": ("enzyme/vol", 1.0),
    "ku/l": ("enzyme/vol", 1e3),
    "%": ("fraction", 1.0),
}


def _key(unit: str) -> str:
    return unit.strip().lower().replace("µ", "u").replace("μ", "u").replace(" ", "")


def dimension(unit: str) -> str | None:
    """The dimension `unit` belongs to, when it is one we can scale."""
    entry = _UNITS.get(_key(unit))
    return entry[0] if entry else None


def convert(value: float, unit: str, target: str) -> float | None:
    """`value` in `unit` expressed in `target`; None unless both are known units of one dimension."""
    if _key(unit) == _key(target):
        return value
    source, goal = _UNITS.get(_key(unit)), _UNITS.get(_key(target))
    if source is None or goal is None or source[0] != goal[0]:
        return None
    return value * source[1] / goal[1]
