"""The web app's outer guard: the facade's Host check (loopback names, this port) against DNS rebinding;
an Origin check on every state-changing request (another port on 127.0.0.1 is the *same site* for
SameSite cookies, so the cookie alone would not stop a page served there); and security headers on every
answer: a strict CSP (no script, no inline style, own origin only), no framing, no sniffing, no
referrer to other origins, no caching of pages that show health data (with `no-referrer`, Chromium would send
`Origin: null` on our own form posts)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.facade.security import split_host

__all__ = ["SECURITY_HEADERS", "WebGuardMiddleware"]

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; object-src 'self'; frame-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


EMBEDDED_PREFIX = "/binary/"
"""Record attachments (PDFs) that the app's own pages embed: only our origin may frame them, and they run
sandboxed with nothing allowed but the viewer."""
_EMBEDDED_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'; sandbox",
    "X-Frame-Options": "SAMEORIGIN",
}

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _same_origin(scope: Scope) -> bool:
    """A state-changing request whose Origin (browsers always send one on a POST) names another origin,
    or the opaque ``null``, is refused. Requests without Origin (not from a browser form) still need the
    session cookie and the CSRF token."""
    if scope.get("method", "GET") in _SAFE_METHODS:
        return True
    headers = Headers(scope=scope)
    origin = headers.get("origin")
    return origin is None or origin.lower() == f"http://{headers.get('host', '').lower()}"


class WebGuardMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_hosts: Sequence[str], port: int | None) -> None:
        self.app = app
        self._allowed = frozenset(h.lower() for h in allowed_hosts)
        self._port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name, port = split_host(Headers(scope=scope).get("host", ""))
        if name not in self._allowed or (self._port is not None and (port or 80) != self._port):
            refusal = PlainTextResponse("Host not allowed: open fhirgate at 127.0.0.1.", status_code=421)
            await self._with_headers(refusal, scope, receive, send)
            return
        if not _same_origin(scope):
            refusal = PlainTextResponse("Cross-origin request refused: nothing was done.", status_code=403)
            await self._with_headers(refusal, scope, receive, send)
            return
        await self._with_headers(self.app, scope, receive, send)

    @staticmethod
    async def _with_headers(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers[key] = value
                if str(scope.get("path", "")).startswith(EMBEDDED_PREFIX):
                    headers.update(_EMBEDDED_HEADERS)
            await send(message)

        await app(scope, receive, send_with_headers)
