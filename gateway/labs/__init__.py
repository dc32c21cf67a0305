"""Lab results as numbers over time, read the same way by the web app's Labs page and the MCP `lab_trend`
tool: one point per numeric result (``points``), units scaled where UCUM makes it a pure scale change
(``units``), and one analyte's points from every source reconciled into one unit (``series``)."""

from gateway.labs.points import LabPoint, is_code, lab_point, matches_name
from gateway.labs.series import ReconciledSeries, reconciled
from gateway.labs.units import convert, dimension

__all__ = ["LabPoint", "ReconciledSeries", "convert", "dimension", "is_code", "lab_point", "matches_name", "reconciled"]
