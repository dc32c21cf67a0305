"""Timeouts for slow clients on every uvicorn server fhirgate runs (serve, mcp --http, demo, sandboxes).

uvicorn times out an idle keep-alive connection but never one that sent part of its request headers:
such a client holds a connection (and a file descriptor) forever. ``header_timeout_protocol`` closes a
connection whose request headers are not complete ``seconds`` after it opened or after its last response.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_SECONDS = 5.0
KEEP_ALIVE_SECONDS = 5.0


def header_timeout_protocol(seconds: float = HEADER_TIMEOUT_SECONDS) -> type[H11Protocol]:
    """uvicorn's h11 protocol, closing connections whose request headers take longer than ``seconds``."""

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm_header_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm_header_timer()  # the headers are in: the request runs as long as it needs

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_timer()
            super().connection_lost(exc)

        def _arm_header_timer(self) -> None:
            self._disarm_header_timer()
            self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)

        def _disarm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutProtocol


def slow_client_options(header_timeout: float = HEADER_TIMEOUT_SECONDS) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config``: the header-timeout protocol and a short keep-alive."""
    return {"http": header_timeout_protocol(header_timeout), "timeout_keep_alive": KEEP_ALIVE_SECONDS}
