"""A transport whose in-process facade is built when the first request reaches it: `fhirgate mcp` answers
tools/list without importing or assembling the Kaiser facade, its refresher and its write routes."""

from __future__ import annotations

from collections.abc import Callable

import httpx2

__all__ = ["IN_PROCESS_BASE", "FacadeOnFirstRequest"]

IN_PROCESS_BASE = "http://127.0.0.1/fhir"


class FacadeOnFirstRequest(httpx2.AsyncBaseTransport):
    """Calls ``build`` once, on the first request, and sends every request through what it returned.
    Whatever ``build`` raises reaches that request's caller (and the next request tries again)."""

    def __init__(self, build: Callable[[], httpx2.AsyncBaseTransport]) -> None:
        self._build = build
        self._built: httpx2.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await (await self._transport()).handle_async_request(request)

    async def aclose(self) -> None:
        if self._built is not None:
            await self._built.aclose()

    async def _transport(self) -> httpx2.AsyncBaseTransport:
        if self._built is None:
            self._built = self._build()  # synchronous: no other request can interleave here
        return self._built
