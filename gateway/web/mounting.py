"""One loopback server, two apps: the FHIR facade at ``/fhir`` (its public ``/.well-known`` path, and the
SMART token endpoints under ``/oauth/``), the web app everywhere else.
Each keeps its own guards (bearer token there, session cookie here)."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["facade_and_web"]

_FACADE_PREFIXES = ("/fhir", "/.well-known/", "/oauth/")


def facade_and_web(facade: ASGIApp, web: ASGIApp) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        to_facade = scope["type"] != "http" or path == "/fhir" or path.startswith(_FACADE_PREFIXES)
        await (facade if to_facade else web)(scope, receive, send)

    return app
