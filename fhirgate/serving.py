"""Run an ASGI app under uvicorn on a loopback port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class RunningServer:
    base_url: str
    port: int


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_in_thread(
    app: ASGIApp,
    *,
    port: int = 0,
    host: str = LOOPBACK,
    header_timeout: float | None = None,
    lifespan: Literal["on", "off"] = "off",
) -> Iterator[RunningServer]:
    """Serve ``app`` until the block exits; ``port=0`` picks a free one; slow clients are timed out (after
    ``header_timeout`` seconds, default ``HEADER_TIMEOUT_SECONDS``). ``lifespan="on"`` for apps that start
    work in their lifespan (the MCP streamable HTTP app)."""
    import uvicorn  # here, not at import: `fhirgate mcp` imports this module before its first answer

    from fhirgate.slow_clients import HEADER_TIMEOUT_SECONDS, slow_client_options

    if host != LOOPBACK:
        raise ValueError("fhirgate only listens on 127.0.0.1")
    port = port or free_port(host)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        **slow_client_options(HEADER_TIMEOUT_SECONDS if header_timeout is None else header_timeout),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"server on {host}:{port} did not start")
        time.sleep(0.02)
    try:
        yield RunningServer(base_url=f"http://{host}:{port}", port=port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
