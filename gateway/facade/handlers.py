"""Instance-level interactions: ``read`` (Binary with content negotiation), ``vread``, ``history-instance``."""

from __future__ import annotations

import base64
import binascii
import json

from starlette.requests import Request
from starlette.responses import Response

from gateway.facade.bundles import history_text
from gateway.facade.conditional import not_modified, validators
from gateway.facade.context import FacadeContext, fhir_base
from gateway.facade.errors import ResourceNotFoundError
from gateway.facade.negotiation import require_fhir_json, wants_raw_binary
from gateway.facade.quoting import bounded_quote
from gateway.facade.responses import FhirJSONResponse, JsonText
from gateway.facade.shaping import shape
from gateway.search import require_served
from gateway.search.controls import parse_elements, parse_summary
from gateway.store import StoredResource

_RAW_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}


def _resource_response(request: Request, stored: StoredResource) -> Response:
    headers = validators(stored)
    cached = not_modified(request, stored)
    if cached is not None:
        return cached
    summary = parse_summary(request.query_params.get("_summary", "false"))
    elements = parse_elements(request.query_params.get("_elements", ""))
    return FhirJSONResponse(JsonText(shape(stored.json_text, summary, elements)), headers=headers)


def _binary_response(request: Request, stored: StoredResource) -> Response:
    headers = validators(stored)
    cached = not_modified(request, stored)
    if cached is not None:
        return cached
    binary = json.loads(stored.json_text)
    try:
        content = base64.b64decode(binary.get("data") or "", validate=True)
    except (binascii.Error, ValueError):
        raise RuntimeError("the stored Binary has no valid base64 data") from None
    media_type = str(binary.get("contentType") or "application/octet-stream")
    return Response(content, media_type=media_type, headers={**headers, **_RAW_HEADERS})


def read_resource(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]/{type}/{id}``: the stored JSON text with ETag and Last-Modified (raw bytes for Binary)."""
    resource_type, resource_id = request.path_params["type"], request.path_params["id"]
    require_served(resource_type)
    raw = resource_type == "Binary" and wants_raw_binary(request)
    if not raw:
        require_fhir_json(request)
    stored = ctx.store.read(resource_type, resource_id)
    if stored is None:
        raise ResourceNotFoundError(f"{resource_type}/{bounded_quote(resource_id)} is not known")
    return _binary_response(request, stored) if raw else _resource_response(request, stored)


def vread_resource(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]/{type}/{id}/_history/{vid}``: one (possibly prior) version."""
    resource_type, resource_id = request.path_params["type"], request.path_params["id"]
    require_served(resource_type)
    require_fhir_json(request)
    version = request.path_params["vid"]
    stored = ctx.store.read_version(resource_type, resource_id, int(version)) if version.isdigit() else None
    if stored is None:
        raise ResourceNotFoundError(
            f"{resource_type}/{bounded_quote(resource_id)}/_history/{bounded_quote(version)} is not known"
        )
    return _resource_response(request, stored)


def history_instance(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]/{type}/{id}/_history``: every stored version, newest first."""
    resource_type, resource_id = request.path_params["type"], request.path_params["id"]
    require_served(resource_type)
    require_fhir_json(request)
    versions = ctx.store.history(resource_type, resource_id)
    if not versions:
        raise ResourceNotFoundError(f"{resource_type}/{bounded_quote(resource_id)} is not known")
    path = f"{resource_type}/{resource_id}/_history"
    return FhirJSONResponse(JsonText(history_text(fhir_base(request), path, versions)))
