"""``create_facade_app``: the starlette FHIR R4 facade over a ``ResourceStore`` (routes under ``/fhir``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.facade.body_limits import BodyLimitMiddleware
from gateway.facade.capability import build_capability_statement
from gateway.facade.context import FacadeContext
from gateway.facade.everything import everything
from gateway.facade.handlers import history_instance, read_resource, vread_resource
from gateway.facade.outcomes import handle_exception
from gateway.facade.refresh import FreshnessGate
from gateway.facade.responses import FhirJSONResponse
from gateway.facade.searching import search_compartment, search_type, search_type_post
from gateway.facade.security import (
    BearerAuthMiddleware,
    HostGuardMiddleware,
    InFlightLimitMiddleware,
    static_token_verifier,
)
from gateway.facade.settings import FacadeSettings
from gateway.facade.smart import smart_configuration, smart_security_block
from gateway.facade.system_search import search_system
from gateway.facade.terminology import read_concept_map
from gateway.search import FhirError
from gateway.store import ResourceStore

PUBLIC_PATHS = ("/fhir/metadata", "/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration")

Handler = Callable[[Request, FacadeContext], Response]
AsyncHandler = Callable[[Request, FacadeContext], Awaitable[Response]]


def _bind(handler: Handler, ctx: FacadeContext) -> Callable[[Request], Awaitable[Response]]:
    # A sync handler runs on the store's bounded thread pool, so store calls never block the loop.
    async def endpoint(request: Request) -> Response:
        return await ctx.in_store_thread(handler, request, ctx)

    endpoint.__name__ = handler.__name__
    return endpoint


def _bind_async(handler: AsyncHandler, ctx: FacadeContext) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, ctx)

    endpoint.__name__ = handler.__name__
    return endpoint


def _routes(
    ctx: FacadeContext,
    *,
    cors: bool,
    operations: Mapping[str, Sequence[dict[str, str]]],
    system_operations: Sequence[dict[str, str]] = (),
    smart_scopes: Sequence[str] | None = None,
) -> list[Route]:
    capability = build_capability_statement(
        date=datetime.now(UTC), cors=cors, operations=operations, system_operations=system_operations
    )
    static_smart = smart_configuration()

    def metadata(request: Request) -> Response:
        if smart_scopes is None:
            return FhirJSONResponse(capability)
        # The oauth-uris are absolute: they name the origin the client addressed (Host is checked).
        rest = {**capability["rest"][0], "security": smart_security_block(_origin(request), cors=cors)}
        return FhirJSONResponse({**capability, "rest": [rest]})

    def smart_config(request: Request) -> Response:
        if smart_scopes is None:
            return JSONResponse(static_smart)
        return JSONResponse(smart_configuration(_origin(request), scopes=tuple(smart_scopes)))

    return [
        Route("/fhir/metadata", metadata, methods=["GET"]),
        Route("/.well-known/smart-configuration", smart_config, methods=["GET"]),
        Route("/fhir/.well-known/smart-configuration", smart_config, methods=["GET"]),
        Route("/fhir", _bind_async(search_system, ctx), methods=["GET"]),
        Route("/fhir/{type}", _bind_async(search_type, ctx), methods=["GET"]),
        Route("/fhir/{type}/_search", _bind_async(search_type_post, ctx), methods=["POST"]),
        Route("/fhir/Patient/{id}/$everything", _bind_async(everything, ctx), methods=["GET", "POST"]),
        Route("/fhir/ConceptMap/{id}", _bind(read_concept_map, ctx), methods=["GET"]),
        Route("/fhir/{type}/{id}", _bind(read_resource, ctx), methods=["GET"]),
        Route("/fhir/{type}/{id}/_history", _bind(history_instance, ctx), methods=["GET"]),
        Route("/fhir/{type}/{id}/_history/{vid}", _bind(vread_resource, ctx), methods=["GET"]),
        Route("/fhir/Patient/{id}/{type}", _bind_async(search_compartment, ctx), methods=["GET"]),
    ]


def _origin(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_facade_app(store: ResourceStore, settings: FacadeSettings) -> Starlette:
    """The FHIR facade app: public ``/fhir/metadata`` and SMART configuration; bearer-protected reads; what
    ``settings.extensions`` add (the guarded writes, Bulk Data export, SMART App Launch)."""
    token, verify_token = settings.token, settings.verify_token
    if (token is None) == (verify_token is None):
        raise ValueError("give exactly one of token and verify_token")
    own_verifier = verify_token if verify_token is not None else static_token_verifier(token or "")
    extensions = settings.extensions
    also_accepted = [e.accepts_token for e in extensions if e.accepts_token is not None]

    def verifier(presented: str) -> bool:
        return own_verifier(presented) or any(accepts(presented) for accepts in also_accepted)

    public_paths = (*PUBLIC_PATHS, *(path for e in extensions for path in e.public_paths))
    smart_scopes = next((e.smart_scopes for e in extensions if e.smart_scopes is not None), None)
    refresh = settings.refresh
    freshness = FreshnessGate(refresh, store) if refresh is not None else None
    ctx = FacadeContext(store, settings.surface_types, freshness)
    cors_origins = settings.cors_origins
    cors = bool(cors_origins)
    middleware = [Middleware(HostGuardMiddleware, allowed_hosts=settings.allowed_hosts, port=settings.port)]
    if cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept", "Prefer", "If-None-Match"],
                expose_headers=["ETag", "Last-Modified", "Location"],
            )
        )
    middleware += [
        Middleware(
            BearerAuthMiddleware,
            verify_token=verifier if also_accepted else own_verifier,
            public_paths=public_paths,
            allow_preflight=cors,
        ),
        *(layer for e in extensions for layer in e.middleware),
        Middleware(InFlightLimitMiddleware, limit=settings.max_in_flight),
        Middleware(BodyLimitMiddleware),
    ]
    handlers = {FhirError: handle_exception, HTTPException: handle_exception, Exception: handle_exception}
    operations: dict[str, list[dict[str, str]]] = {}
    for extension in extensions:
        for resource_type, declared in extension.operations.items():
            operations.setdefault(resource_type, []).extend(declared)
    system_operations = [operation for e in extensions for operation in e.system_operations]
    routes = [
        *(route for e in extensions for route in e.routes),
        *_routes(ctx, cors=cors, operations=operations, system_operations=system_operations, smart_scopes=smart_scopes),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
