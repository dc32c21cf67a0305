"""Searchset Bundles assembled as text: stored resource JSON is spliced in, never parsed again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from gateway.facade.outcomes import operation_outcome
from gateway.search import SearchRequest
from gateway.store import SearchPage, SurfaceState


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def page_url(base: str, request: SearchRequest, cursor: str | None) -> str:
    """Absolute URL of one page of ``request`` (canonical query, plus the cursor for later pages)."""
    query = request.canonical_query()
    if cursor is not None:
        query += "&" + urlencode({"_cursor": cursor})
    return f"{base}/{request.resource_type}?{query}"


def surface_outcomes(resource_type: str, states: Sequence[SurfaceState]) -> list[dict[str, Any]]:
    """Warning OperationOutcomes for surfaces that produce ``resource_type`` and are partial or stale."""
    outcomes = []
    for state in states:
        if resource_type not in state.resource_types:
            continue
        if state.problems:
            detail = "; ".join(state.problems)
            outcomes.append(
                operation_outcome("incomplete", f"surface {state.surface} is incomplete: {detail}", severity="warning")
            )
        if state.failing:
            since = state.last_success.isoformat() if state.last_success else "never"
            outcomes.append(
                operation_outcome(
                    "incomplete",
                    f"surface {state.surface}: last sync failed ({state.last_error}); data as of {since}",
                    severity="warning",
                )
            )
    return outcomes


def searchset_text(base: str, request: SearchRequest, page: SearchPage, outcomes: Sequence[dict[str, Any]]) -> str:
    """The searchset Bundle JSON for one page: match entries (stored text as-is), then outcome entries."""
    links = [{"relation": "self", "url": page_url(base, request, request.cursor)}]
    if page.next_cursor is not None:
        links.append({"relation": "next", "url": page_url(base, request, page.next_cursor)})
    entries = [
        '{"fullUrl":' + _dumps(f"{base}/{stored.resource_type}/{stored.id}") + ',"resource":'
        f'{stored.json_text},"search":{{"mode":"match"}}}}'
        for stored in page.entries
    ]
    entries += [_dumps({"resource": outcome, "search": {"mode": "outcome"}}) for outcome in outcomes]
    head = f'{{"resourceType":"Bundle","type":"searchset","total":{page.total},"link":{_dumps(links)}'
    return head + (',"entry":[' + ",".join(entries) + "]}" if entries else "}")
