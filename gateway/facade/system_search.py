"""``search-system``: ``GET [base]?_type=A,B&...`` runs the same search on each type, paging through them in turn.

The cursor names the type reached and that type's own keyset cursor, so paging stays exact per type.
``_sort`` across types is not supported (types have no common order); ``_type`` is required.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from gateway.facade.bundles import bundle_chunks, entry_text, outcome_entry_text, page_url
from gateway.facade.context import FacadeContext, fhir_base, is_lenient
from gateway.facade.freshness import surface_outcomes
from gateway.facade.negotiation import require_fhir_json
from gateway.facade.responses import FhirJSONResponse, JsonText
from gateway.facade.shaping import shape
from gateway.search import (
    InvalidSearchError,
    SearchRequest,
    TotalMode,
    UnsupportedSearchError,
    parse_search,
    require_searchable,
)
from gateway.store import SearchPage, StoredResource


def _encode(types: list[str], index: int, inner: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps([",".join(types), index, inner]).encode()).decode().rstrip("=")


def _decode(text: str, types: list[str]) -> tuple[int, str | None]:
    try:
        found, index, inner = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except (ValueError, TypeError, binascii.Error):
        raise InvalidSearchError("_cursor is malformed") from None
    if found != ",".join(types) or not isinstance(index, int) or not 0 <= index < len(types):
        raise InvalidSearchError("_cursor does not belong to this search")
    if inner is not None and not isinstance(inner, str):
        raise InvalidSearchError("_cursor is malformed")
    return index, inner


def _requests(request: Request) -> tuple[list[str], list[SearchRequest], str | None]:
    raw_types = ",".join(request.query_params.getlist("_type"))
    types = list(dict.fromkeys(t.strip() for t in raw_types.split(",") if t.strip()))
    if not types:
        raise InvalidSearchError("search across all types needs _type (e.g. _type=Observation,Condition)")
    for resource_type in types:
        require_searchable(resource_type)
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("_type", "_cursor")]
    if any(k == "_sort" for k, _ in params) and len(types) > 1:
        raise UnsupportedSearchError("_sort is not supported when searching more than one type")
    lenient = is_lenient(request)
    return types, [parse_search(t, params, lenient=lenient) for t in types], request.query_params.get("_cursor")


def _collect(
    ctx: FacadeContext, searches: list[SearchRequest], index: int, inner: str | None
) -> tuple[list[StoredResource], list[StoredResource], int | None, str | None]:
    entries: list[StoredResource] = []
    included: list[StoredResource] = []
    remaining = searches[0].count
    while index < len(searches) and remaining > 0:
        page: SearchPage = ctx.store.search(
            replace(searches[index], count=remaining, cursor=inner, total=TotalMode.NONE)
        )
        entries += page.entries
        included += page.included
        remaining -= len(page.entries)
        if page.next_cursor is not None:
            return entries, included, index, page.next_cursor
        index, inner = index + 1, None
    return entries, included, (index if index < len(searches) else None), None


async def search_system(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]?_type=...``: a searchset over several types (matches of each type in turn)."""
    require_fhir_json(request)
    types, searches, cursor = _requests(request)
    refreshed = await ctx.refresh(types)
    return await ctx.in_store_thread(_answer, request, ctx, (types, searches, cursor), refreshed)


def _answer(
    request: Request,
    ctx: FacadeContext,
    parsed: tuple[list[str], list[SearchRequest], str | None],
    refreshed: list[dict[str, Any]],
) -> Response:
    types, searches, cursor = parsed
    index, inner = _decode(cursor, types) if cursor else (0, None)
    first = searches[0]
    total = None
    if first.total is TotalMode.ACCURATE:
        total = sum(ctx.store.search(replace(s, count=0, cursor=None)).total or 0 for s in searches)
    entries, included, next_index, next_inner = _collect(ctx, searches, index, inner)
    if total is None and first.total is TotalMode.ESTIMATE and cursor is None and next_index is None:
        total = len(entries)  # the whole result is on this page: the count is free
    base = fhir_base(request)
    query = urlencode([("_type", ",".join(types)), *first.query_items()])
    links = [{"relation": "self", "url": page_url(base, "", query, cursor)}]
    if next_index is not None:
        links.append({"relation": "next", "url": page_url(base, "", query, _encode(types, next_index, next_inner))})
    head: dict[str, object] = {"resourceType": "Bundle", "type": "searchset"}
    if total is not None:
        head["total"] = total
    head["link"] = links
    texts = [entry_text(base, s, "match", shape(s.json_text, first.summary, first.elements)) for s in entries]
    texts += [entry_text(base, s, "include", shape(s.json_text, first.summary, first.elements)) for s in included]
    states = ctx.store.surface_states()
    outcomes = refreshed + [o for t in types for o in surface_outcomes(t, states, ctx.surface_types)]
    texts += dict.fromkeys(outcome_entry_text(o) for o in outcomes)
    return FhirJSONResponse(JsonText("".join(bundle_chunks(head, texts))))
