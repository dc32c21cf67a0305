"""Rendering a searchset Bundle for the model: header, one row per resource, record text, notes, cursor.

The page stays inside a character budget. Whatever does not fit is counted and named, with
the way to get it, so the model never mistakes a cut page for the whole answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fhir_client import describe_outcome, entries
from mcp_server.fencing import fence
from mcp_server.summaries import summarize

__all__ = ["DEFAULT_CHAR_BUDGET", "render_row", "render_search_page"]

DEFAULT_CHAR_BUDGET = 12_000
CELL_LIMIT = 80
PROSE_LIMIT = 400
# Room kept for the notes and the cursor line, which are always shown.
_TAIL_RESERVE = 1_500


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _ref(resource: Mapping[str, Any]) -> str:
    resource_id = resource.get("id")
    return f"{resource.get('resourceType', 'Resource')}/{resource_id if isinstance(resource_id, str) else '?'}"


def render_row(resource: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The resource's row, and its fenced-prose lines (`Type/id label: text`)."""
    summary = summarize(resource)
    ref = _ref(resource)
    cells = [_clip(cell, CELL_LIMIT).replace("|", "/") for cell in summary.cells if cell and cell.strip()]
    prose = [f"{ref} {label}: {_clip(text, PROSE_LIMIT)}" for label, text in summary.prose if text.strip()]
    return " | ".join([ref, *cells]), prose


def _outcome_lines(bundle: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for outcome in entries(bundle, "outcome"):
        for issue in outcome.get("issue") or []:
            if text := describe_outcome({"issue": [issue]}):
                lines.append(f"- {_clip(text, PROSE_LIMIT)}")
    return lines


def render_search_page(
    bundle: Mapping[str, Any],
    *,
    source: str,
    query: str,
    next_cursor: str | None,
    resource_type: str,
    extra_notes: Sequence[str] = (),
    char_budget: int = DEFAULT_CHAR_BUDGET,
) -> str:
    """The Bundle as text within `char_budget` characters (approximately; the tail is reserved)."""
    matches = list(entries(bundle, "match", None))
    included = list(entries(bundle, "include"))
    total = bundle.get("total")
    total_text = f"total {total}" if isinstance(total, int) else "total not reported"
    shown = f"{len(matches)} match{'es' if len(matches) != 1 else ''} on this page"
    if included:
        shown += f" (+{len(included)} included)"
    lines = [f"{source} {query}: {total_text}, {shown}"]

    room = char_budget - _TAIL_RESERVE - len(lines[0])
    prose: list[str] = []
    omitted = 0
    for resource, marker in [*((m, "") for m in matches), *((i, "+ ") for i in included)]:
        row, row_prose = render_row(resource)
        cost = len(row) + 1 + sum(len(p) + 1 for p in row_prose)
        if cost > room:
            omitted += 1
            continue
        room -= cost
        lines.append(marker + row)
        prose += row_prose
    if not matches:
        lines.append("No matches. Check parameter names and values, or widen the search.")
    if omitted:
        lines.append(
            f"{omitted} resource(s) on this page not shown to stay within the output budget: "
            "narrow the search or pass a smaller _count (the cursor skips them)."
        )
    if included:
        lines.append("Rows starting with '+' are included resources (_include), not matches.")
    if prose:
        lines.append(fence("\n".join(prose)))

    notes = [*(f"- {_clip(note, PROSE_LIMIT)}" for note in extra_notes), *_outcome_lines(bundle)]
    if notes:
        lines.append("notes from the server (the results may be incomplete):")
        lines += notes
    if next_cursor:
        lines.append(f"next cursor: {next_cursor}")
        lines.append(
            f'More results: call fhir_search(source="{source}", resource_type="{resource_type}", '
            'cursor="<next cursor>"); params are then ignored.'
        )
    else:
        lines.append("This is the last page.")
    return "\n".join(lines)
