"""Streamable HTTP sessions whose clients never send DELETE do not pile up: at most `max_sessions` are
held (a further one is refused with 503, not added), and an idle one is closed by the server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import uvicorn
from mcp.server.mcpserver import MCPServer

from fhirgate.serving import free_port
from mcp_server import SourceRegistry, build_server
from mcp_server.transport.http import LOOPBACK, http_app

TOKEN = "mcp-session-bounds-token-7d2a"
MAX_SESSIONS = 3
IDLE_SECONDS = 6.0  # long enough that no session idles out while seven are opened on a loaded machine
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "Authorization": f"Bearer {TOKEN}",
}


@pytest.fixture
def served(kaiser_registry: SourceRegistry) -> Iterator[tuple[str, MCPServer]]:
    port = free_port()
    server = build_server(kaiser_registry)
    app = http_app(server, token=TOKEN, port=port, session_idle_seconds=IDLE_SECONDS, max_sessions=MAX_SESSIONS)
    uvicorn_server = uvicorn.Server(uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=uvicorn_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uvicorn_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://{LOOPBACK}:{port}/mcp", server
    uvicorn_server.should_exit = True
    thread.join(timeout=10)


def _open_and_abandon(url: str) -> httpx2.Response:
    with httpx2.Client() as http:
        return http.post(url, json=INITIALIZE, headers=HEADERS)


def test_abandoned_sessions_are_bounded_then_closed_when_idle(served: tuple[str, MCPServer]) -> None:
    url, server = served
    opened = [_open_and_abandon(url) for _ in range(MAX_SESSIONS + 4)]
    assert [r.status_code for r in opened] == [200] * MAX_SESSIONS + [503] * 4
    assert len({r.headers["mcp-session-id"] for r in opened[:MAX_SESSIONS]}) == MAX_SESSIONS
    live = server.session_manager._server_instances  # the SDK's table of open sessions is what grew
    assert len(live) == MAX_SESSIONS
    deadline = time.monotonic() + IDLE_SECONDS + 30
    while live and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not live, "idle sessions were not closed"
    assert _open_and_abandon(url).status_code == 200  # room again
