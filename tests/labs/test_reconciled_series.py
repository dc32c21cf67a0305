"""``reconciled``: one analyte across sources in its most common unit, as `lab_trend` and the Labs page use it."""

from __future__ import annotations

from datetime import date
from typing import Any

from gateway.labs import lab_point, reconciled


def glucose(ident: str, day: str, value: float, unit: str, low: float, high: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ident,
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
        "effectiveDateTime": f"{day}T08:00:00Z",
        "valueQuantity": {"value": value, "unit": unit},
        "referenceRange": [{"low": {"value": low}, "high": {"value": high}}],
        "interpretation": [{"coding": [{"code": "N"}]}],
    }


def test_points_in_a_scalable_unit_are_converted_into_the_most_common_one() -> None:
    points = [
        lab_point(glucose("k1", "2024-01-02", 90, "mg/dL", 70, 99), "Kaiser"),
        lab_point(glucose("k2", "2024-03-02", 95, "mg/dL", 70, 99), "Kaiser"),
        lab_point(glucose("p1", "2024-02-02", 1.0, "g/L", 0.7, 0.99), "demo-practice"),
    ]
    series = reconciled([p for p in points if p is not None])
    assert series.unit == "mg/dL"
    assert [(p.ref, round(v or 0, 6)) for p, v in series.points] == [
        ("Observation/k1", 90.0),
        ("Observation/p1", 100.0),
        ("Observation/k2", 95.0),
    ]
    assert series.band == (70.0, 99.0)
    assert series.sources == ["Kaiser", "demo-practice"]
    assert series.points[1][0].name == "Glucose" and series.points[1][0].when == date(2024, 2, 2)


def test_a_point_in_another_dimension_is_kept_but_not_charted() -> None:
    points = [
        lab_point(glucose("k1", "2024-01-02", 90, "mg/dL", 70, 99), "Kaiser"),
        lab_point(glucose("k2", "2024-02-02", 92, "mg/dL", 70, 99), "Kaiser"),
        lab_point(glucose("p1", "2024-03-02", 5.2, "mmol/L", 3.9, 5.5), "demo-practice"),
    ]
    series = reconciled([p for p in points if p is not None])
    assert series.unit == "mg/dL"
    assert series.points[-1][1] is None
    assert [p.ref for p, _ in series.charted] == ["Observation/k1", "Observation/k2"]
