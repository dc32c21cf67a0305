"""One analyte's points from every source in one unit, as ``lab_trend`` reconciles them: the most common
unit wins; a point in a unit UCUM scales into it is converted, any other is kept as written and left off
the chart; the usual range is the most common (converted) reference range."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.labs.points import LabPoint
from gateway.labs.units import convert

__all__ = ["ReconciledSeries", "reconciled"]


@dataclass(frozen=True)
class ReconciledSeries:
    unit: str
    points: list[tuple[LabPoint, float | None]]
    """Every point, oldest first, with its value in ``unit`` (None: not convertible)."""
    band: tuple[float | None, float | None]

    @property
    def charted(self) -> list[tuple[LabPoint, float]]:
        return [(point, value) for point, value in self.points if value is not None]

    @property
    def sources(self) -> list[str]:
        return sorted({point.source for point, _ in self.points})


def reconciled(points: Sequence[LabPoint]) -> ReconciledSeries:
    """``points`` (of one analyte, any order, at least one) in their most common unit."""
    ordered = sorted(points, key=lambda p: (p.when, p.source, p.ref))
    unit = Counter(p.unit for p in ordered).most_common(1)[0][0]
    converted = [(p, convert(p.value, p.unit, unit)) for p in ordered]
    bands = Counter(
        (
            convert(p.low, p.unit, unit) if p.low is not None else None,
            convert(p.high, p.unit, unit) if p.high is not None else None,
        )
        for p in ordered
    )
    return ReconciledSeries(unit, converted, bands.most_common(1)[0][0])
