"""``[base]/Patient/{id}/$everything`` by GET or POST (``_since``, ``_type``, ``start``, ``end``, ``_count``,
paged): a streamed searchset.

POST takes the same parameters in a form body or a ``Parameters`` resource (operations are invoked with
POST; fhir-kit-client's ``operation()`` does). The page is read in one snapshot, then sent in chunks as it
is serialized, so the first bytes leave before the whole Bundle text exists.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
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
from gateway.search import (
    DATE_MAX,
    DATE_MIN,
    DEFAULT_COUNT,
    DateRange,
    InvalidSearchError,
    UnsupportedSearchError,
    parse_date_range,
    require_served,
)
from gateway.search.controls import parse_count
from gateway.search.parsing import FACADE_PARAMETERS
from gateway.search.request import MAX_COUNT

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_KNOWN = frozenset({"_since", "_type", "_count", "_cursor", "start", "end"})
_FORM = "application/x-www-form-urlencoded"
_JSON = ("application/fhir+json", "application/json", "application/json+fhir")


def _since(raw: str) -> datetime:
    found = parse_date_range(raw.replace(" ", "+"))
    if found is None or "T" not in raw:
        raise InvalidSearchError(f"_since must be an instant (e.g. 2024-01-01T00:00:00Z), not {raw!r}")
    return _EPOCH + timedelta(microseconds=found.low)


def _care_window(start: str | None, end: str | None) -> DateRange | None:
    """``start``/``end`` (dates, inclusive at their precision): None when neither is given."""
    if start is None and end is None:
        return None
    bounds = []
    for name, raw in (("start", start), ("end", end)):
        found = parse_date_range(raw.replace(" ", "+")) if raw is not None else None
        if raw is not None and found is None:
            raise InvalidSearchError(f"{name} must be a date, not {raw!r}")
        bounds.append(found)
    low = bounds[0].low if bounds[0] is not None else DATE_MIN
    high = bounds[1].high if bounds[1] is not None else DATE_MAX
    if high <= low:
        raise InvalidSearchError("end is before start")
    return DateRange(low, high)


def _parameters_resource(body: Any) -> list[tuple[str, str]]:
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise InvalidSearchError("POST $everything takes a Parameters resource or a form body")
    pairs: list[tuple[str, str]] = []
    for parameter in body.get("parameter") or ():
        value = (
            next((v for k, v in parameter.items() if k.startswith("value")), None)
            if isinstance(parameter, dict)
            else None
        )
        if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str) or value is None:
            raise InvalidSearchError("every Parameters.parameter of $everything needs a name and a value[x]")
        pairs.append((parameter["name"], str(value)))
    return pairs


async def _posted(request: Request) -> list[tuple[str, str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == _FORM:
        async with request.form() as form:
            return [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    body = await request.body()
    if not body.strip():
        return []
    if content_type not in _JSON:
        raise InvalidSearchError(f"POST $everything needs a form or FHIR JSON body, not {content_type or 'none'!r}")
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to be a Parameters resource
        raise InvalidSearchError("POST $everything body is not valid JSON") from None
    return _parameters_resource(parsed)


async def everything(request: Request, ctx: FacadeContext) -> Response:
    """The patient, the resources that reference it, and what those reference (``search.mode=include``)."""
    require_fhir_json(request)
    pairs = request.query_params.multi_items()
    if request.method == "POST":
        pairs += await _posted(request)
    params = QueryParams(pairs)
    ignored = [k for k in params if k not in _KNOWN | FACADE_PARAMETERS]
    if ignored and not is_lenient(request):
        raise UnsupportedSearchError(f"Unknown parameter {ignored[0]!r} for $everything")
    types = tuple(dict.fromkeys(t.strip() for t in ",".join(params.getlist("_type")).split(",") if t.strip()))
    for resource_type in types:
        require_served(resource_type)
    since = _since(params["_since"]) if "_since" in params else None
    count = parse_count(params["_count"]) if "_count" in params else DEFAULT_COUNT
    window = _care_window(params.get("start"), params.get("end"))
    asked = _Query(types, since, count, ignored, window, params)
    refreshed = await ctx.refresh(types or None)
    return await ctx.in_store_thread(_answer, request, ctx, asked, refreshed)


@dataclass(frozen=True)
class _Query:
    """What ``$everything`` was asked for, validated before any refresh."""

    types: tuple[str, ...]
    since: datetime | None
    count: int
    ignored: list[str]
    window: DateRange | None
    params: QueryParams


def _answer(request: Request, ctx: FacadeContext, asked: _Query, refreshed: list[dict[str, Any]]) -> Response:
    patient_id, params = request.path_params["id"], asked.params
    types, since, count, ignored = asked.types, asked.since, asked.count, asked.ignored
    if ctx.store.read("Patient", patient_id) is None:
        raise ResourceNotFoundError(f"Patient/{bounded_quote(patient_id)} is not known")
    page = ctx.store.everything(
        patient_id, since=since, types=types, count=max(count, 1), cursor=params.get("_cursor"), window=asked.window
    )
    base = fhir_base(request)
    query_items = [("_since", params["_since"])] if since else []
    query_items += [("_type", ",".join(types))] if types else []
    query_items += [(name, params[name]) for name in ("start", "end") if name in params]
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
    return StreamingResponse(_sent(bundle_chunks(head, entries)), media_type=FHIR_JSON)


async def _sent(chunks: Iterator[str]) -> AsyncIterator[str]:
    # An async iterator: starlette would hand each chunk of a plain one to its threadpool, a thread hop apiece.
    for chunk in chunks:
        yield chunk
