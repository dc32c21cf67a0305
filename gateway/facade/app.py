"""``create_facade_app``: the starlette FHIR R4 facade over a ``ResourceStore`` (routes under ``/fhir``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.facade.capability import build_capability_statement
from gateway.facade.handlers import read_resource, search_type
from gateway.facade.outcomes import handle_exception
from gateway.facade.responses import FhirJSONResponse
from gateway.facade.security import FacadeSecurityMiddleware, static_token_verifier
from gateway.search import FhirError
from gateway.store import ResourceStore

PUBLIC_PATHS = ("/fhir/metadata", "/.well-known/smart-configuration")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")

Handler = Callable[[Request, ResourceStore], Response]


def _bind(handler: Handler, store: ResourceStore) -> Callable[[Request], Response]:
    # A plain (sync) endpoint: starlette runs it in its threadpool, so store calls never block the loop.
    def endpoint(request: Request) -> Response:
        return handler(request, store)

    endpoint.__name__ = handler.__name__
    return endpoint


def create_facade_app(
    store: ResourceStore,
    *,
    token: str | None = None,
    verify_token: Callable[[str], bool] | None = None,
    allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
) -> Starlette:
    """The FHIR facade app: public ``/fhir/metadata``; bearer-protected read and search on ``store``.

    Give either ``token`` (the local facade token) or ``verify_token`` (e.g. the sandbox EHR's OAuth
    access-token check)."""
    if (token is None) == (verify_token is None):
        raise ValueError("give exactly one of token and verify_token")
    verifier = verify_token if verify_token is not None else static_token_verifier(token or "")
    capability = build_capability_statement(date=datetime.now(UTC))

    def metadata(request: Request) -> Response:
        return FhirJSONResponse(capability)

    routes = [
        Route("/fhir/metadata", metadata, methods=["GET"]),
        Route("/fhir/{type}", _bind(search_type, store), methods=["GET"]),
        Route("/fhir/{type}/{id}", _bind(read_resource, store), methods=["GET"]),
    ]
    middleware = [
        Middleware(
            FacadeSecurityMiddleware, verify_token=verifier, allowed_hosts=allowed_hosts, public_paths=PUBLIC_PATHS
        )
    ]
    handlers = {FhirError: handle_exception, HTTPException: handle_exception, Exception: handle_exception}
    return Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
