"""Facade security middleware, outermost first: Host guard (DNS rebinding), bearer token, in-flight limit.

CORS, when configured, sits between the Host guard and the bearer check so that preflights (which carry
no token) can be answered, but only for a loopback Host.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Collection, Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.facade.errors import AuthenticationError, HostNotAllowedError, ThrottledError
from gateway.facade.outcomes import outcome_response
from gateway.search import FhirError


def split_host(host_header: str) -> tuple[str, int | None]:
    """``(name, port)`` of a Host header value, lowercased (``[::1]:8765`` -> ``("[::1]", 8765)``)."""
    host = host_header.strip().lower()
    name, port_text = host, ""
    if host.startswith("["):
        end = host.find("]")
        if end == -1 or host[end + 1 : end + 2] not in ("", ":"):
            return "", None  # `[::1]x8765` is no Host at all
        name, port_text = host[: end + 1], host[end + 2 :]
    elif host.count(":") == 1:
        name, _, port_text = host.partition(":")
    if not port_text:
        return name, None
    return (name, int(port_text)) if port_text.isdigit() else ("", None)


def hostname(host_header: str) -> str:
    """The host part of a Host header value, lowercased, port removed."""
    return split_host(host_header)[0]


async def _refuse(exc: FhirError, scope: Scope, receive: Receive, send: Send) -> None:
    await outcome_response(exc)(scope, receive, send)


class HostGuardMiddleware:
    """421 ``security`` unless Host names a loopback name and, when ``port`` is set, that port.

    A Host without a port is accepted only for in-process use (no ``port`` configured) or port 80.
    """

    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str], port: int | None = None) -> None:
        self.app = app
        self._allowed = frozenset(h.lower() for h in allowed_hosts)
        self._port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            name, port = split_host(Headers(scope=scope).get("host", ""))
            wrong_port = self._port is not None and (port or 80) != self._port
            if name not in self._allowed or wrong_port:
                error = HostNotAllowedError(
                    "Host header not allowed (DNS rebinding guard); use 127.0.0.1 or localhost with the facade port"
                )
                await _refuse(error, scope, receive, send)
                return
        await self.app(scope, receive, send)


class BearerAuthMiddleware:
    """401 ``login`` without the bearer token on every path but the public ones (and CORS preflights)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verify_token: Callable[[str], bool],
        public_paths: Collection[str],
        allow_preflight: bool = False,
    ) -> None:
        self.app = app
        self._verify_token = verify_token
        self._public_paths = frozenset(public_paths)
        self._allow_preflight = allow_preflight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        preflight = self._allow_preflight and scope.get("method") == "OPTIONS"
        if scope["type"] == "http" and scope["path"] not in self._public_paths and not preflight:
            try:
                self._check(Headers(scope=scope))
            except FhirError as exc:
                await _refuse(exc, scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _check(self, headers: Headers) -> None:
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise AuthenticationError("Authorization: Bearer <token> required (see `fhirgate token`)")
        if not self._verify_token(credentials.strip()):
            raise AuthenticationError("Bearer token is not valid", invalid_token=True)


class InFlightLimitMiddleware:
    """429 ``throttled`` (with Retry-After) when more than ``limit`` requests are being served at once."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self._limit = limit
        self._in_flight = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with self._lock:
            admitted = self._in_flight < self._limit
            self._in_flight += admitted
        if not admitted:
            await _refuse(
                ThrottledError(f"more than {self._limit} requests in flight; retry shortly"), scope, receive, send
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._in_flight -= 1


def static_token_verifier(token: str) -> Callable[[str], bool]:
    """A verifier accepting exactly ``token`` (compared in constant time)."""
    if not token:
        raise ValueError("the facade token must not be empty")
    expected = token.encode()

    def verify(presented: str) -> bool:
        return secrets.compare_digest(presented.encode(), expected)

    return verify
