"""One row per resource for the model: `Type/id | cell | cell`, plus its free text for the fence.

Cells are clipped and pipe-free so a row stays one line; free text is returned apart so the
answer can fence it as untrusted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp_server.rows.summaries import summarize

__all__ = ["DEFAULT_CHAR_BUDGET", "render_row"]

#: Characters of one resource's JSON that `fhir_get` shows.
DEFAULT_CHAR_BUDGET = 12_000
#: A cell longer than this is cut, and the row says so (a summarizer keeps lists as one cell per item).
CELL_LIMIT = 160
PROSE_LIMIT = 400


def _clip(text: str, limit: int, ref: str) -> str:
    """`text` on one line; when longer than `limit`, cut there and say so, naming the call with the rest."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rstrip() + f"… [cut at {limit} of {len(text)} characters; all of it: fhir_get {ref}]"


def _ref(resource: Mapping[str, Any]) -> str:
    resource_id = resource.get("id")
    return f"{resource.get('resourceType', 'Resource')}/{resource_id if isinstance(resource_id, str) else '?'}"


def render_row(resource: Mapping[str, Any]) -> tuple[str, list[str]]:
    """The resource's row, and its fenced-prose lines (`Type/id label: text`)."""
    summary = summarize(resource)
    ref = _ref(resource)
    cells = [_clip(cell, CELL_LIMIT, ref).replace("|", "/") for cell in summary.cells if cell and cell.strip()]
    prose = [f"{ref} {label}: {_clip(text, PROSE_LIMIT, ref)}" for label, text in summary.prose if text.strip()]
    return " | ".join([ref, *cells]), prose
