"""Slow clients are timed out: a connection that never finishes its request headers is closed, on the
in-thread servers (demo, sandboxes) and on `fhirgate serve` and `fhirgate mcp --http` as subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from fhirgate.serving import free_port, serve_in_thread
from fhirgate.slow_clients import HEADER_TIMEOUT_SECONDS

PARTIAL = b"GET /fhir/metadata HTTP/1.1\r\nHost: 127.0.0.1"


def _closed_after(port: int, *, first: bytes = b"", within: float) -> float:
    """Send ``first`` (whole requests) then partial headers; seconds until the server closes the socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=within + 5) as sock:
        if first:
            sock.sendall(first)
            assert _answer(sock).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        sock.sendall(PARTIAL)
        assert sock.recv(1024) == b"", "the server answered a request whose headers never ended"
        return time.monotonic() - started


def _answer(sock: socket.socket) -> bytes:
    answer = b""
    while not answer.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(65536)
        assert chunk, answer
        answer += chunk
    return answer


def _app() -> Starlette:
    return Starlette(routes=[Route("/fhir/metadata", lambda request: PlainTextResponse("ok"))])


def test_partial_headers_are_timed_out_on_a_fresh_and_a_kept_alive_connection() -> None:
    with serve_in_thread(_app(), header_timeout=0.5) as server:
        fresh = _closed_after(server.port, within=0.5)
        kept_alive = _closed_after(server.port, first=PARTIAL + b"\r\n\r\n", within=0.5)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(PARTIAL + b"\r\n\r\n")  # a whole request is answered
            answer = _answer(sock)
    assert 0.3 < fresh < 3 and 0.3 < kept_alive < 3
    assert answer.startswith(b"HTTP/1.1 200")


@contextmanager
def _running(home: Path, *args: str) -> Iterator[int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "fhirgate", *args, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"{args[0]} did not start"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stderr:
            process.stderr.close()


def test_serve_and_mcp_http_close_connections_with_partial_headers(tmp_path: Path) -> None:
    with (
        _running(tmp_path / "a", "serve", "--offline") as serve_port,
        _running(tmp_path / "b", "mcp", "--http") as mcp_port,
        socket.create_connection(("127.0.0.1", serve_port)) as to_serve,
        socket.create_connection(("127.0.0.1", mcp_port)) as to_mcp,
    ):
        started = time.monotonic()
        for sock in (to_serve, to_mcp):
            sock.settimeout(HEADER_TIMEOUT_SECONDS + 10)
            sock.sendall(PARTIAL)
        closed = [sock.recv(1024) for sock in (to_serve, to_mcp)]
        waited = time.monotonic() - started
    assert closed == [b"", b""]
    assert HEADER_TIMEOUT_SECONDS - 1 < waited < HEADER_TIMEOUT_SECONDS + 5
