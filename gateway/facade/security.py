"""Facade security middleware: Host header guard (DNS rebinding), then the bearer token on non-public paths."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.facade.errors import AuthenticationError, HostNotAllowedError
from gateway.facade.outcomes import outcome_response
from gateway.search import FhirError


def hostname(host_header: str) -> str:
    """The host part of a Host header value, lowercased, port removed (``[::1]:8765`` -> ``[::1]``)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[: end + 1] if end != -1 else host
    if host.count(":") == 1:
        return host.partition(":")[0]
    return host


class FacadeSecurityMiddleware:
    """Rejects requests for foreign Host names (400 ``security``) and without the bearer token (401 ``login``)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        verify_token: Callable[[str], bool],
        allowed_hosts: Sequence[str],
        public_paths: Collection[str],
    ) -> None:
        self.app = app
        self._verify_token = verify_token
        self._allowed_hosts = frozenset(h.lower() for h in allowed_hosts)
        self._public_paths = frozenset(public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            self._check(scope)
        except FhirError as exc:
            await outcome_response(exc)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _check(self, scope: Scope) -> None:
        headers = Headers(scope=scope)
        if hostname(headers.get("host", "")) not in self._allowed_hosts:
            raise HostNotAllowedError("Host header not allowed (DNS rebinding guard); use 127.0.0.1 or localhost")
        if scope["path"] in self._public_paths:
            return
        scheme, _, credentials = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise AuthenticationError("Authorization: Bearer <token> required (see `fhirgate token`)")
        if not self._verify_token(credentials.strip()):
            raise AuthenticationError("Bearer token is not valid", invalid_token=True)


def static_token_verifier(token: str) -> Callable[[str], bool]:
    """A verifier accepting exactly ``token`` (compared in constant time)."""
    if not token:
        raise ValueError("the facade token must not be empty")
    expected = token.encode()

    def verify(presented: str) -> bool:
        return secrets.compare_digest(presented.encode(), expected)

    return verify
