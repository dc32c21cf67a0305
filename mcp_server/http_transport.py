"""Serving the MCP server over streamable HTTP on loopback, guarded like the facade.

Every request needs `Authorization: Bearer <facade token>`; the SDK's transport security
checks `Host` (and `Origin`) against loopback names, which defeats DNS rebinding.
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


def http_app(server: MCPServer, *, token: str, port: int) -> ASGIApp:
    """The streamable HTTP app at `/mcp`, accepting only loopback Host/Origin and the bearer token."""
    hosts = [f"{LOOPBACK}:{port}", f"localhost:{port}", f"[::1]:{port}"]
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=[f"http://{host}" for host in hosts],
    )
    return BearerGuard(server.streamable_http_app(transport_security=security, host=LOOPBACK), token)


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
