"""Facade interactions: each a small function of ``(request, store)`` returning a FHIR response."""

from __future__ import annotations

from email.utils import format_datetime

from starlette.requests import Request

from gateway.facade.bundles import searchset_text, surface_outcomes
from gateway.facade.errors import ResourceNotFoundError
from gateway.facade.outcomes import operation_outcome
from gateway.facade.responses import FhirJSONResponse, JsonText
from gateway.search import parse_search, require_searchable
from gateway.store import ResourceStore


def fhir_base(request: Request) -> str:
    """Absolute base URL of the FHIR endpoint as the client addressed it (``http://127.0.0.1:8765/fhir``)."""
    return str(request.base_url).rstrip("/") + "/fhir"


def read_resource(request: Request, store: ResourceStore) -> FhirJSONResponse:
    """``GET [base]/{type}/{id}``: the stored JSON text with ETag and Last-Modified."""
    resource_type, resource_id = request.path_params["type"], request.path_params["id"]
    require_searchable(resource_type)
    stored = store.read(resource_type, resource_id)
    if stored is None:
        raise ResourceNotFoundError(f"{resource_type}/{resource_id} is not known")
    headers = {
        "ETag": f'W/"{stored.version_id}"',
        "Last-Modified": format_datetime(stored.last_updated, usegmt=True),
    }
    return FhirJSONResponse(JsonText(stored.json_text), headers=headers)


def search_type(request: Request, store: ResourceStore) -> FhirJSONResponse:
    """``GET [base]/{type}?...``: a searchset Bundle page, with outcome entries for partial data."""
    resource_type = request.path_params["type"]
    lenient = "handling=lenient" in request.headers.get("prefer", "").replace(" ", "")
    search = parse_search(resource_type, request.query_params.multi_items(), lenient=lenient)
    page = store.search(search)
    outcomes = surface_outcomes(resource_type, store.surface_states())
    if search.ignored:
        names = ", ".join(sorted(set(search.ignored)))
        outcomes.append(operation_outcome("not-supported", f"ignored search parameters: {names}", severity="warning"))
    return FhirJSONResponse(JsonText(searchset_text(fhir_base(request), search, page, outcomes)))
