"""One analyte result as GetDetails serves it: ``componentInfo``, ``componentResultInfo``, comments.

Values are drawn around the reference range according to the analyte's target, so a "High" flag is
always backed by a value above the range and a "Low" one below it.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.patient.lab_catalog import AnalyteSpec

__all__ = ["build_component", "is_abnormal_flag"]

_ABNORMAL = frozenset({"High", "Low"})


def is_abnormal_flag(flag: str) -> bool:
    """Whether an ``abnormalFlagCategoryValue`` marks the value abnormal (Normal/Unknown/"" do not)."""
    return flag in _ABNORMAL


def _number_text(value: float | None, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


def _draw_value(rng: random.Random, spec: AnalyteSpec) -> float:
    low, high = spec.low, spec.high
    if spec.target == "high" and high is not None:
        value = high * rng.uniform(1.06, 1.15)
    elif spec.target == "low" and low is not None:
        value = low * rng.uniform(0.82, 0.94)
    elif low is not None and high is not None:
        span = high - low
        value = rng.uniform(low + 0.15 * span, high - 0.15 * span)
    elif high is not None:
        value = rng.uniform(0.55 * high, 0.92 * high)
    elif low is not None:
        value = rng.uniform(1.1 * low, 1.6 * low)
    else:
        raise ValueError(f"{spec.name} has neither a range nor a fixed value")
    return round(value, spec.decimals)


def _reference_range(spec: AnalyteSpec) -> dict[str, Any]:
    if spec.formatted_range is not None:
        formatted = spec.formatted_range
    else:
        formatted = f"{_number_text(spec.low, spec.decimals)}-{_number_text(spec.high, spec.decimals)}"
    if spec.sparse_range:
        return {"formattedReferenceRange": formatted}
    one_sided_upper = formatted.startswith("<") and not formatted.startswith("<=")
    one_sided_lower = formatted.startswith(">") and not formatted.startswith(">=")
    return {
        "displayLow": _number_text(spec.low, spec.decimals),
        "displayHigh": _number_text(spec.high, spec.decimals),
        "lowerBoundExclusive": one_sided_lower,
        "upperBoundExclusive": one_sided_upper,
        "formattedReferenceRange": formatted,
    }


def _result_info(rng: random.Random, spec: AnalyteSpec) -> dict[str, Any]:
    info: dict[str, Any]
    if spec.fixed_value is not None:
        # Non-numeric values ("<2.0", ">90", "Negative") come without numericValue.
        info = {"value": spec.fixed_value}
    else:
        number = _draw_value(rng, spec)
        numeric: float | int = int(number) if spec.decimals == 0 else number
        info = {"value": _number_text(number, spec.decimals), "numericValue": numeric}
    info["referenceRange"] = _reference_range(spec)
    computed = {"high": "High", "low": "Low"}.get(spec.target, "Normal")
    info["abnormalFlagCategoryValue"] = spec.flag if spec.flag is not None else computed
    return info


def build_component(rng: random.Random, spec: AnalyteSpec) -> dict[str, Any]:
    """One ``resultComponents[]`` element."""
    return {
        "componentInfo": {
            "componentID": str(rng.randint(1_000_000, 9_999_999)),
            "name": spec.name,
            "commonName": spec.common_name,
            "units": spec.units,
        },
        "componentResultInfo": _result_info(rng, spec),
        "componentComments": {"hasContent": bool(spec.comment_html), "contentAsHtml": spec.comment_html},
    }
