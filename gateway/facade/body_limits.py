"""Request bodies are bounded: at most ``max_bytes``, read incrementally and refused at the limit (413),
and JSON at most ``MAX_JSON_DEPTH`` deep (400), so a 100 MB body is never buffered and a JSON array
nested 100,000 deep never reaches the recursive parser.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.facade.errors import InvalidBodyError, PayloadTooLargeError
from gateway.facade.outcomes import outcome_response

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64

_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


class BodyLimitMiddleware:
    """413 ``too-long`` when a request declares or sends more than ``max_bytes`` of body."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self._max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            await outcome_response(self._too_large())(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, bounded_receive, send)

    def _too_large(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(f"the request body is larger than {self._max_bytes:,} bytes")


def json_too_deep(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests arrays/objects deeper than ``max_depth`` (brackets inside strings ignored)."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > max_depth:
            return True
    return False


async def read_json(request: Request, *, empty: Any = None) -> Any:
    """The request's JSON body (``empty`` when there is none); ``InvalidBodyError`` if unreadable or too deep."""
    body = await request.body()
    if not body.strip():
        return empty
    if json_too_deep(body):
        raise InvalidBodyError(f"the JSON body nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise InvalidBodyError("the body is not valid JSON") from None
