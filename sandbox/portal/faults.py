"""The fault middleware: applies ``PortalConfig.faults`` to every data request of the sandbox portal.

It sits in front of all routes, so each surface (including ones added later) gets every fault for
free. Switches are read per request, so a test may flip them on a running portal; a fresh
``FaultSwitches`` starts its counts from zero.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.portal.config import FaultSwitches, PortalConfig

__all__ = ["FaultMiddleware", "is_data_path"]

logger = logging.getLogger("fhirgate.sandbox.portal")

_SESSION_COOKIE = "MyChartSessionToken4mychartcn"
_NOT_DATA = ("/sign-on", "/secure/", "/pa/", "/as/", "/mychartcn/authentication/", "/mychartcn/default.asp")
_NOT_DATA_EXACT = ("/mychartcn/home", "/mychartcn/inside.asp", "/mychartcn/home/fivehundred")
_KEEPALIVE = ("/mychartcn/keepalive.asp", "/mychartcn/home/keepalive")
_TIMED_OUT_PAGE = (
    "<!DOCTYPE html><html><head><title>MyChart - Your session has timed out</title></head>"
    "<body><div id='main'>Your session has timed out. Please log in again.</div></body></html>"
)


def is_data_path(path: str) -> bool:
    lowered = path.lower()
    return not (lowered.startswith(_NOT_DATA) or lowered in _NOT_DATA_EXACT or lowered in _KEEPALIVE)


class FaultMiddleware:
    def __init__(self, app: ASGIApp, config: PortalConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        faults = self.config.faults
        path = str(scope["path"])
        request = Request(scope)
        token = request.cookies.get(_SESSION_COOKIE)
        if path.lower() in _KEEPALIVE and token is not None and token in faults.counters.dead_sessions:
            await _expired("identity", request)(scope, receive, send)  # §1.5: a dead keepalive is a 302 to Ping
            return
        if not is_data_path(path):
            await self.app(scope, receive, send)
            return
        if faults.latency_seconds > 0:
            await asyncio.sleep(faults.latency_seconds)
        counters = faults.counters
        counters.data_requests += 1
        short = self._short_circuit(faults, request, token)
        if short is not None:
            await short(scope, receive, send)
            return
        if _rewrites(faults, path):
            await self._rewritten(faults, path, scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _short_circuit(self, faults: FaultSwitches, request: Request, token: str | None) -> Response | None:
        counters = faults.counters
        number = counters.data_requests
        if faults.expire_after_requests == number and token:
            counters.dead_sessions.add(token)
            logger.info("fault session_expired after=%d", number)
        if token is not None and token in counters.dead_sessions:
            return _expired(faults.expiry_style, request)
        if faults.rate_limit_every and number % faults.rate_limit_every == 0:
            logger.info("fault rate_limited request=%d", number)
            headers = {"Retry-After": f"{faults.retry_after_seconds:g}"}
            return JSONResponse({"httpCode": "429", "httpMessage": "Too Many Requests"}, 429, headers=headers)
        in_burst = faults.burst_path in request.url.path
        if (
            in_burst
            and faults.burst_count
            and number > faults.burst_after
            and counters.burst_served < faults.burst_count
        ):
            counters.burst_served += 1
            logger.info("fault burst status=%d served=%d", faults.burst_status, counters.burst_served)
            return HTMLResponse("<html><body>Service Unavailable</body></html>", faults.burst_status)
        if faults.error_code is not None and faults.error_code[0] in request.url.path:
            logger.info("fault error_code code=%d", faults.error_code[1])
            return JSONResponse({"error": faults.error_code[1]})
        return None

    async def _rewritten(self, faults: FaultSwitches, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        assert start is not None
        body = b"".join(chunks)
        headers = Headers(raw=start["headers"])
        if "json" in headers.get("content-type", "") and start["status"] == 200:
            body = _transform(faults, path, body)
        raw = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        raw.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def _rewrites(faults: FaultSwitches, path: str) -> bool:
    drift = faults.schema_drift is not None and faults.schema_drift[0] in path
    return drift or any(part in path for part in faults.truncated_json)


def _transform(faults: FaultSwitches, path: str, body: bytes) -> bytes:
    if faults.schema_drift is not None and faults.schema_drift[0] in path:
        _, field, renamed = faults.schema_drift
        body = json.dumps(_drifted(json.loads(body), field, renamed)).encode()
        logger.info("fault schema_drift field=%s", field)
    if any(part in path for part in faults.truncated_json):
        body = body[: len(body) // 2]
        logger.info("fault truncated_json")
    return body


def _drifted(node: Any, field: str, renamed: str | None) -> Any:
    if isinstance(node, list):
        return [_drifted(item, field, renamed) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == field:
            if renamed is not None:
                result[renamed] = _drifted(value, field, renamed)
            continue
        result[key] = _drifted(value, field, renamed)
    return result


def _expired(style: str, request: Request) -> Response:
    origin = str(request.base_url).rstrip("/")
    if style == "identity":
        return RedirectResponse(f"{origin}/as/authorization.oauth2?response_type=code&scope=openid", 302)
    if style == "sign-in":
        return RedirectResponse(f"{origin}/mychartcn/Authentication/Login?postloginurl=Home", 302)
    if style == "html":
        return HTMLResponse(_TIMED_OUT_PAGE, 200)
    return JSONResponse({"httpCode": style, "httpMessage": "Unauthorized"}, int(style))
