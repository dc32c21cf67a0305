"""Serving the MCP server over streamable HTTP on loopback, guarded like the facade.

Every request needs `Authorization: Bearer <facade token>`; the SDK's transport security
checks `Host` (and `Origin`) against loopback names, which defeats DNS rebinding.

Sessions are bounded for a server that runs for weeks: a session whose client went away without a
DELETE is closed after ``SESSION_IDLE_SECONDS`` without a request (the SDK's default is 30 minutes), and
at most ``MAX_SESSIONS`` are open at once (a further one gets 503 until room frees; the SDK allows 10,000).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Mapping
from typing import Any

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["LOOPBACK", "BearerGuard", "http_app", "run_http"]

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
SESSION_IDLE_SECONDS = 600.0
MAX_SESSIONS = 200


class BearerGuard:
    """ASGI middleware: HTTP requests without the right bearer token get 401 (lifespan passes through)."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("a bearer token is required")
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope["headers"]).get(b"authorization", b"")
            if not hmac.compare_digest(given, self._expected):
                response = JSONResponse(
                    {"error": "unauthorized", "hint": 'send "Authorization: Bearer <token from fhirgate token>"'},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self._app(scope, receive, send)


def http_app(
    server: MCPServer,
    *,
    token: str,
    port: int,
    session_idle_seconds: float = SESSION_IDLE_SECONDS,
    max_sessions: int = MAX_SESSIONS,
) -> ASGIApp:
    """The streamable HTTP app at `/mcp`, accepting only loopback Host/Origin and the bearer token;
    sessions idle for ``session_idle_seconds`` are closed, at most ``max_sessions`` open at once."""
    hosts = [f"{LOOPBACK}:{port}", f"localhost:{port}", f"[::1]:{port}"]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"http://{host}" for host in hosts],
    )
    app = server.streamable_http_app(
        transport_security=security,
        host=LOOPBACK,
        session_idle_timeout=session_idle_seconds,
        max_sessions=max_sessions,
    )
    return BearerGuard(app, token)


async def run_http(
    server: MCPServer, *, token: str, port: int, server_options: Mapping[str, Any] | None = None
) -> None:
    """Serve until interrupted, on 127.0.0.1 only (logs go to stderr); ``server_options``: more
    ``uvicorn.Config`` arguments (the composition root's slow-client timeouts)."""
    config = uvicorn.Config(
        http_app(server, token=token, port=port),
        host=LOOPBACK,
        port=port,
        log_level="warning",
        access_log=False,
        **(server_options or {}),
    )
    logger.info("mcp http start port=%d", port)
    await uvicorn.Server(config).serve()
