"""`--http`: streamable HTTP on a real loopback uvicorn, guarded by the bearer token and Host checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from fhirgate.serving import free_port
from mcp_server import SourceRegistry, build_server
from mcp_server.transport.http import LOOPBACK, http_app

TOKEN = "mcp-http-token-5c1e"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def served(kaiser_registry: SourceRegistry) -> Iterator[str]:
    port = free_port()
    app = http_app(build_server(kaiser_registry), token=TOKEN, port=port)
    server = uvicorn.Server(uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://{LOOPBACK}:{port}/mcp"
    server.should_exit = True
    thread.join(timeout=10)


async def test_a_client_with_the_token_gets_the_tools(served: str) -> None:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}) as http,
        Client(streamable_http_client(served, http_client=http)) as client,
    ):
        tools = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("whoami", {})
    assert {"search_observation", "lab_trend", "list_sources"} <= tools
    assert not result.is_error


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}"])
async def test_requests_without_the_token_are_refused(served: str, authorization: str | None) -> None:
    headers = HEADERS | ({"Authorization": authorization} if authorization else {})
    async with httpx2.AsyncClient() as http:
        response = await http.post(served, json=INITIALIZE, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert TOKEN not in response.text


async def test_a_foreign_host_header_is_refused(served: str) -> None:
    headers = HEADERS | {"Authorization": f"Bearer {TOKEN}", "Host": "evil.example.com"}
    async with httpx2.AsyncClient() as http:
        response = await http.post(served, json=INITIALIZE, headers=headers)
    assert response.status_code in (400, 421)
