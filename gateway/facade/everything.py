"""``GET [base]/Patient/{id}/$everything`` (``_since``, ``_type``, ``_count``, paged): a streamed searchset.

The page is read in one snapshot, then sent in chunks as it is serialized, so the first bytes leave
before the whole Bundle text exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from gateway.facade.bundles import bundle_chunks, entry_text, links, outcome_entry_text
from gateway.facade.context import FacadeContext, fhir_base, is_lenient
from gateway.facade.errors import ResourceNotFoundError
from gateway.facade.freshness import surface_outcomes
from gateway.facade.negotiation import require_fhir_json
from gateway.facade.outcomes import operation_outcome
from gateway.facade.quoting import bounded_quote
from gateway.facade.responses import FHIR_JSON
from gateway.search import DEFAULT_COUNT, InvalidSearchError, UnsupportedSearchError, parse_date_range, require_served
from gateway.search.controls import parse_count
from gateway.search.parsing import FACADE_PARAMETERS
from gateway.search.request import MAX_COUNT

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KNOWN = frozenset({"_since", "_type", "_count", "_cursor"})


def _since(raw: str) -> datetime:
    found = parse_date_range(raw.replace(" ", "+"))
    if found is None or "T" not in raw:
        raise InvalidSearchError(f"_since must be an instant (e.g. 2024-01-01T00:00:00Z), not {raw!r}")
    return _EPOCH + timedelta(microseconds=found.low)


async def everything(request: Request, ctx: FacadeContext) -> Response:
    """The patient, the resources that reference it, and what those reference (``search.mode=include``)."""
    require_fhir_json(request)
    params = request.query_params
    ignored = [k for k in params if k not in _KNOWN | FACADE_PARAMETERS]
    if ignored and not is_lenient(request):
        raise UnsupportedSearchError(f"Unknown parameter {ignored[0]!r} for $everything")
    types = tuple(dict.fromkeys(t.strip() for t in ",".join(params.getlist("_type")).split(",") if t.strip()))
    for resource_type in types:
        require_served(resource_type)
    since = _since(params["_since"]) if "_since" in params else None
    count = parse_count(params["_count"]) if "_count" in params else DEFAULT_COUNT
    refreshed = await ctx.refresh(types or None)
    return await run_in_threadpool(_answer, request, ctx, _Query(types, since, count, ignored), refreshed)


@dataclass(frozen=True)
class _Query:
    """What ``$everything`` was asked for, validated before any refresh."""

    types: tuple[str, ...]
    since: datetime | None
    count: int
    ignored: list[str]


def _answer(request: Request, ctx: FacadeContext, asked: _Query, refreshed: list[dict[str, Any]]) -> Response:
    patient_id, params = request.path_params["id"], request.query_params
    types, since, count, ignored = asked.types, asked.since, asked.count, asked.ignored
    if ctx.store.read("Patient", patient_id) is None:
        raise ResourceNotFoundError(f"Patient/{bounded_quote(patient_id)} is not known")
    page = ctx.store.everything(patient_id, since=since, types=types, count=max(count, 1), cursor=params.get("_cursor"))
    base = fhir_base(request)
    query_items = [("_since", params["_since"])] if since else []
    query_items += [("_type", ",".join(types))] if types else []
    query = urlencode([*query_items, ("_count", str(max(count, 1)))])
    head = {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": links(base, f"Patient/{patient_id}/$everything", query, page, params.get("_cursor")),
    }
    entries = [entry_text(base, s, "match") for s in page.entries]
    entries += [entry_text(base, s, "include") for s in page.included]
    states = ctx.store.surface_states()
    kinds = types or tuple(sorted({s.resource_type for s in page.entries}))
    outcomes = refreshed + [o for t in kinds for o in surface_outcomes(t, states, ctx.surface_types)]
    if ignored:
        outcomes.append(
            operation_outcome("not-supported", f"ignored parameters: {', '.join(ignored)}", severity="warning")
        )
    if "_count" in params and int(params["_count"]) > MAX_COUNT:  # parse_count validated and capped it
        cap = f"_count={params['_count'][:20]} is above this server's limit: pages hold at most {MAX_COUNT} entries"
        outcomes.append(operation_outcome("informational", cap, severity="warning"))
    entries += list(dict.fromkeys(outcome_entry_text(o) for o in outcomes))
    return StreamingResponse(bundle_chunks(head, entries), media_type=FHIR_JSON)
