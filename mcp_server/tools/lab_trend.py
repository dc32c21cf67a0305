"""`lab_trend`: one analyte over time across every source, as a compact table plus a PNG chart.

Values in a unit UCUM can scale into the most common unit are converted (and marked);
others are listed as written and left off the chart. The table keeps the newest rows
that fit the budget and says how many older ones it left out.
"""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ContentBlock, ImageContent, TextContent
from pydantic import Field

from fhir_client import FhirClientError
from gateway.labs.points import LabPoint, is_code, lab_point, matches_name
from gateway.labs.series import ReconciledSeries, reconciled
from gateway.labs.units import convert
from mcp_server.answers.token_budget import DEFAULT_MAX_TOKENS, estimate_tokens
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.sources.registry import RecordSource, UnknownSourceError
from mcp_server.tools.context import MaxTokensArg, SourceArg, ToolContext
from mcp_server.tools.trend_chart import render_trend_png
from mcp_server.untrusted.fencing import Fence
from mcp_server.untrusted.quoting import quote_input

__all__ = ["LabTrendTool"]

MAX_RESULTS_PER_SOURCE = 2_000


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _row(point: LabPoint, value: float | None, unit: str, usual_status: str) -> str:
    """`date | value | flag | ref | source | id`, value and range in `unit` when they convert; a status other
    than the usual one (said once above the table) follows the value."""
    bounds: list[float | None] = [point.low, point.high]
    if value is None:
        shown = f"{point.comparator}{_fmt(point.value)} {point.unit} (not convertible)"
    else:
        shown = f"{point.comparator}{_fmt(value)}"
        if point.unit != unit:
            shown += f" (from {_fmt(point.value)} {point.unit})"
            bounds = [None if x is None else convert(x, point.unit, unit) for x in bounds]
    if point.status != usual_status:
        shown += f" ({point.status or 'no status'})"
    ref = "-".join(_fmt(x) for x in bounds if x is not None)
    return f"{point.when} | {shown} | {point.flag} | {ref} | {point.source} | {point.ref}"


def _nothing_found(code_or_name: str, notes: list[str], *, searched: int) -> CallToolResult:
    """The answer when no source gave a numeric result; an error when no source could be searched at all."""
    if notes and len(notes) == searched:
        raise ToolError("No source could be searched:\n" + "\n".join(notes))
    text = f"No numeric results found for {quote_input(code_or_name)}." + "".join(f"\n{n}" for n in notes)
    return CallToolResult(content=[TextContent(text=text)])


def _test_names(series: ReconciledSeries) -> list[str]:
    return sorted({point.name for point, _ in series.points if point.name})


def _header(code_or_name: str, series: ReconciledSeries) -> str:
    """What was found, when, from where, and its range of values in the series' unit."""
    first, last = series.points[0][0], series.points[-1][0]
    values = [value for _, value in series.charted]
    header = (
        f"{quote_input(code_or_name)}: {len(series.points)} results {first.when}..{last.when} "
        f"from {', '.join(series.sources)}; in the unit below: "
        f"min {_fmt(min(values))}, max {_fmt(max(values))}, latest {_fmt(values[-1])}"
    )
    if series.band != (None, None):
        header += "; usual range " + "-".join("" if x is None else _fmt(x) for x in series.band)
    return header


def _record_lines(series: ReconciledSeries, usual_status: str | None) -> list[str]:
    """The fenced table's preamble: unit, test names, the usual status, and the column names."""
    names = _test_names(series)
    record = [f"unit: {series.unit}"]
    record += [f"{'tests matched' if len(names) > 1 else 'test'}: {', '.join(names)}"] if names else []
    record += [f"status: {usual_status} unless a row says otherwise"] if usual_status else []
    record.append("date | value | flag | ref | source | id")
    return record


def _newest_rows(series: ReconciledSeries, usual_status: str, room: int) -> list[str]:
    """The table rows, newest first, while they fit in `room` tokens."""
    rows: list[str] = []
    for point, value in reversed(series.points):
        row = _row(point, value, series.unit, usual_status)
        if estimate_tokens(row) + 1 > room:
            break
        room -= estimate_tokens(row) + 1
        rows.append(row)
    return rows


def _trend_text(code_or_name: str, series: ReconciledSeries, notes: list[str], max_tokens: int) -> str:
    """The header, the fenced table of the newest rows that fit `max_tokens`, and what was left out."""
    # Units, test names, flags and reference texts are the sources' words: inside the fence.
    fenced = Fence()
    usual_status = Counter(point.status for point, _ in series.points).most_common(1)[0][0]
    record = _record_lines(series, usual_status)
    lines = [_header(code_or_name, series), fenced.warning("lab data")]
    rows = _newest_rows(series, usual_status, max_tokens - 250 - sum(estimate_tokens(x) for x in [*lines, *record]))
    lines.append(fenced.block("\n".join([*record, *rows])))
    total = len(series.points)
    if len(rows) < total:
        lines.append(
            f"{total - len(rows)} older results not listed (budget); pass since=YYYY-MM-DD or raise max_tokens."
        )
    if len(series.charted) < total:
        notes = [
            *notes,
            f"{total - len(series.charted)} results in units not convertible to the unit above are not charted",
        ]
    if notes:
        lines += ["notes:", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


class LabTrendTool:
    def __init__(self, context: ToolContext) -> None:
        self._context = context

    async def _points(self, source: RecordSource, wanted: str, since: str | None) -> list[LabPoint]:
        params = [("code", wanted)] if is_code(wanted) else [("category", "laboratory")]
        if since:
            params.append(("date", f"ge{since}"))
        params.append(("_count", "100"))
        points: list[LabPoint] = []
        async for resource in source.client.iterate_resources("Observation", params, limit=MAX_RESULTS_PER_SOURCE):
            if (is_code(wanted) or matches_name(resource, wanted)) and (point := lab_point(resource, source.name)):
                points.append(point)
        return points

    async def _gathered(
        self, sources: list[RecordSource], wanted: str, since: str | None
    ) -> tuple[list[LabPoint], list[str]]:
        """Every source's points, asked at once, and a note for each source that failed."""
        results = await asyncio.gather(*(self._points(s, wanted, since) for s in sources), return_exceptions=True)
        points: list[LabPoint] = []
        notes: list[str] = []
        for item, result in zip(sources, results, strict=True):
            if isinstance(result, FhirClientError):
                err = to_tool_error(result, source=item.name, target="Observation search", login_hint=item.login_hint)
                notes.append(f"{item.name}: {err}")
            elif isinstance(result, BaseException):
                raise result
            else:
                points += result
        return points, notes

    async def lab_trend(
        self,
        code_or_name: Annotated[str, Field(description="LOINC code or part of the test name")],
        since: Annotated[str | None, Field(description="YYYY-MM-DD")] = None,
        source: SourceArg = None,
        max_tokens: MaxTokensArg = DEFAULT_MAX_TOKENS,
        chart: bool = True,
    ) -> CallToolResult:
        """One lab test over time across sources: a table (date, value, flag, range, source, id) and a PNG chart
        shading the usual range. Units convert to the most common one where UCUM allows a plain scale change;
        others are listed as written, not charted."""
        try:
            sources = self._context.registry.select(source)
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source or "", target="lab_trend") from error
        points, notes = await self._gathered(sources, code_or_name, since)
        if not points:
            return _nothing_found(code_or_name, notes, searched=len(sources))
        series = reconciled(points)
        content: list[ContentBlock] = [TextContent(text=_trend_text(code_or_name, series, notes, max_tokens))]
        charted = [(point.when, value) for point, value in series.charted]
        if chart and charted:
            names = _test_names(series)
            png = await render_trend_png(
                charted, title=names[0] if names else code_or_name, unit=series.unit, band=series.band
            )
            content.append(ImageContent(data=base64.b64encode(png).decode("ascii"), mime_type="image/png"))
        return CallToolResult(content=content)
