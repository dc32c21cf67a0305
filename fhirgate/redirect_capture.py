"""Catching the OAuth redirect on a loopback port (RFC 8252 §7.3): a one-route app on 127.0.0.1
that hands the full redirect URL to the waiting `fhirgate connect` and tells the user to go back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from fhirgate.serving import serve_in_thread

CALLBACK_PATH = "/callback"
_DONE_PAGE = (
    "<!doctype html><html><head><title>fhirgate</title></head><body>"
    "<h1 id='fhirgate-done'>fhirgate received the answer</h1><p>You can close this window.</p></body></html>"
)


@dataclass
class RedirectCapture:
    redirect_uri: str
    _future: asyncio.Future[str]

    async def wait(self, seconds: float) -> str:
        """The redirect URL the browser was sent to (query included); `TimeoutError` after `seconds`."""
        async with asyncio.timeout(seconds):
            return await asyncio.shield(self._future)


@contextmanager
def capture_redirect(port: int, path: str = CALLBACK_PATH) -> Iterator[RedirectCapture]:
    """Listen on 127.0.0.1:`port` (0 = any free port) for the redirect, until the block exits."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def deliver(url: str) -> None:
        if not future.done():
            future.set_result(url)

    async def callback(request: Request) -> HTMLResponse:
        loop.call_soon_threadsafe(deliver, str(request.url))
        return HTMLResponse(_DONE_PAGE)

    app = Starlette(routes=[Route(path, callback, methods=["GET"])])
    with serve_in_thread(app, port=port) as server:
        yield RedirectCapture(f"{server.base_url}{path}", future)
