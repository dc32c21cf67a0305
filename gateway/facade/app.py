"""``create_facade_app``: the starlette FHIR R4 facade over a ``ResourceStore`` (routes under ``/fhir``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.facade.body_limits import BodyLimitMiddleware
from gateway.facade.capability import build_capability_statement
from gateway.facade.context import FacadeContext
from gateway.facade.everything import everything
from gateway.facade.handlers import history_instance, read_resource, vread_resource
from gateway.facade.outcomes import handle_exception
from gateway.facade.refresh import FreshnessGate, RefreshPolicy
from gateway.facade.responses import FhirJSONResponse
from gateway.facade.searching import search_compartment, search_type, search_type_post
from gateway.facade.security import (
    BearerAuthMiddleware,
    HostGuardMiddleware,
    InFlightLimitMiddleware,
    static_token_verifier,
)
from gateway.facade.smart import JWKS_PATH, REVOKE_PATH, TOKEN_PATH, smart_configuration, smart_security_block
from gateway.facade.system_search import search_system
from gateway.facade.terminology import read_concept_map
from gateway.search import FhirError
from gateway.store import ResourceStore

if TYPE_CHECKING:
    from gateway.bulk import ExportJobs
    from gateway.smart_server import SmartAuthorizationServer

PUBLIC_PATHS = ("/fhir/metadata", "/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
DEFAULT_MAX_IN_FLIGHT = 64

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


def create_facade_app(
    store: ResourceStore,
    *,
    token: str | None = None,
    verify_token: Callable[[str], bool] | None = None,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
    port: int | None = None,
    cors_origins: Sequence[str] = (),
    surface_types: Mapping[str, Sequence[str]] | None = None,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    extra_routes: Sequence[BaseRoute] = (),
    extra_operations: Mapping[str, Sequence[dict[str, str]]] | None = None,
    refresh: RefreshPolicy | None = None,
    exports: ExportJobs | None = None,
    smart: SmartAuthorizationServer | None = None,
) -> Starlette:
    """The FHIR facade app: public ``/fhir/metadata`` and SMART configuration; bearer-protected reads.

    Give either ``token`` (the local facade token) or ``verify_token`` (e.g. the sandbox EHR's OAuth
    access-token check). ``port``: the port the Host header must name (None: any, for in-process use).
    ``cors_origins``: browser origins allowed to call the facade (none by default: no CORS headers).
    ``surface_types``: the sync table's surface -> types, so never-synced surfaces are reported.
    ``extra_routes``/``extra_operations``: operations served and declared besides the reads (the
    guarded writes of ``gateway.writes``, wired by the composition root).
    ``refresh``: how searches first refresh stale surfaces (None: offline, the store is served as it is).
    ``exports``: the Bulk Data export jobs (``$export``); None: no bulk export.
    ``smart``: the SMART App Launch server (its token endpoints here, its tokens accepted and their
    scopes enforced on every read); None: the static token only.
    """
    if (token is None) == (verify_token is None):
        raise ValueError("give exactly one of token and verify_token")
    verifier = verify_token if verify_token is not None else static_token_verifier(token or "")
    public_paths: tuple[str, ...] = PUBLIC_PATHS
    smart_middleware: list[Middleware] = []
    smart_routes: list[BaseRoute] = []
    smart_scopes: Sequence[str] | None = None
    if smart is not None:
        from gateway.smart_server import SUPPORTED_SCOPES, ScopeEnforcementMiddleware, oauth_routes

        static_verifier = verifier

        def verifier(presented: str) -> bool:
            return static_verifier(presented) or smart.scope_grant(presented) is not None

        public_paths = (*PUBLIC_PATHS, TOKEN_PATH, REVOKE_PATH, JWKS_PATH)
        smart_middleware = [Middleware(ScopeEnforcementMiddleware, scope_grant=smart.scope_grant)]
        smart_routes = list(oauth_routes(smart))
        smart_scopes = SUPPORTED_SCOPES
    freshness = FreshnessGate(refresh, store) if refresh is not None else None
    ctx = FacadeContext(store, surface_types or {}, freshness)
    cors = bool(cors_origins)
    middleware = [Middleware(HostGuardMiddleware, allowed_hosts=allowed_hosts, port=port)]
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
        Middleware(BearerAuthMiddleware, verify_token=verifier, public_paths=public_paths, allow_preflight=cors),
        *smart_middleware,
        Middleware(InFlightLimitMiddleware, limit=max_in_flight),
        Middleware(BodyLimitMiddleware),
    ]
    handlers = {FhirError: handle_exception, HTTPException: handle_exception, Exception: handle_exception}
    operations = dict(extra_operations or {})
    bulk: list[BaseRoute] = []
    system_operations: Sequence[dict[str, str]] = ()
    if exports is not None:
        from gateway.bulk import SYSTEM_OPERATIONS, TYPE_OPERATIONS, bulk_routes  # gateway.bulk imports the facade

        bulk = list(bulk_routes(exports))
        system_operations = SYSTEM_OPERATIONS
        for resource_type, declared in TYPE_OPERATIONS.items():
            operations[resource_type] = [*operations.get(resource_type, ()), *declared]
    routes = [
        *extra_routes,
        *bulk,
        *smart_routes,
        *_routes(ctx, cors=cors, operations=operations, system_operations=system_operations, smart_scopes=smart_scopes),
    ]
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
