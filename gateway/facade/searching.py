"""``search-type`` by GET and by ``POST [type]/_search`` (form-encoded): one searchset page per request.

The query is parsed first (a bad one is refused before any refresh), then the type's surfaces are made
fresh, then the store is searched in the threadpool.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.facade.bundles import searchset_text
from gateway.facade.context import FacadeContext, fhir_base, is_lenient
from gateway.facade.freshness import surface_outcomes
from gateway.facade.negotiation import require_fhir_json
from gateway.facade.outcomes import operation_outcome
from gateway.facade.responses import FhirJSONResponse, JsonText
from gateway.search import InvalidSearchError, SearchRequest, parameters_for, parse_search, require_searchable

_FORM = "application/x-www-form-urlencoded"


def _answer(request: Request, ctx: FacadeContext, search: SearchRequest, refreshed: list[dict[str, Any]]) -> Response:
    page = ctx.store.search(search)
    outcomes = refreshed + surface_outcomes(search.resource_type, ctx.store.surface_states(), ctx.surface_types)
    if search.ignored:
        names = ", ".join(sorted(set(search.ignored)))
        outcomes.append(operation_outcome("not-supported", f"ignored search parameters: {names}", severity="warning"))
    text = searchset_text(fhir_base(request), search, page, outcomes, path=search.resource_type)
    return FhirJSONResponse(JsonText(text))


async def run_type_search(
    request: Request, ctx: FacadeContext, resource_type: str, params: Sequence[tuple[str, str]]
) -> Response:
    """Parse, refresh, search, and answer with the searchset Bundle (outcome entries for partial or stale data)."""
    search = parse_search(resource_type, params, lenient=is_lenient(request))
    refreshed = await ctx.refresh((resource_type,))
    return await ctx.in_store_thread(_answer, request, ctx, search, refreshed)


async def search_type(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]/{type}?...``."""
    require_fhir_json(request)
    return await run_type_search(request, ctx, request.path_params["type"], request.query_params.multi_items())


async def search_compartment(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]/Patient/{id}/{type}?...``: the type's search within the patient's compartment.

    The compartment is the type's ``patient`` parameter (``_id`` for Patient itself); a type without one
    (Practitioner, Organization, Medication, ...) is outside the Patient compartment: 400.
    """
    require_fhir_json(request)
    resource_type, patient_id = request.path_params["type"], request.path_params["id"]
    require_searchable(resource_type)
    names = {p.name for p in parameters_for(resource_type)}
    if resource_type == "Patient":
        scope = ("_id", patient_id)
    elif "patient" in names:
        scope = ("patient", f"Patient/{patient_id}")
    else:
        raise InvalidSearchError(f"{resource_type} is not in the Patient compartment")
    return await run_type_search(request, ctx, resource_type, [*request.query_params.multi_items(), scope])


async def search_type_post(request: Request, ctx: FacadeContext) -> Response:
    """``POST [base]/{type}/_search`` with a form body; body and query parameters are combined."""
    require_fhir_json(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _FORM:
        raise InvalidSearchError(f"POST _search needs Content-Type {_FORM}, not {content_type or 'none'!r}")
    async with request.form() as form:
        body = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    params = [*request.query_params.multi_items(), *body]
    return await run_type_search(request, ctx, request.path_params["type"], params)
