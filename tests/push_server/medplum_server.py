"""Medplum's FHIR router over its in-memory repository (``server.mjs``), as a Node process on a free loopback
port, for tests and benchmarks: a FHIR server this project did not write. ``make pytest`` installs its
pinned packages (``npm ci --prefix tests/push_server``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).parent
SERVER = HERE / "server.mjs"


def installed() -> bool:
    return (HERE / "node_modules" / "@medplum" / "fhir-router").is_dir()


@contextmanager
def medplum_server(token: str = "") -> Iterator[str]:
    """Run the server until the block exits; yields its FHIR base URL (``http://127.0.0.1:PORT/fhir``)."""
    node = shutil.which("node")
    if node is None or not installed():
        raise RuntimeError("the push tests need Node 20+ and `npm ci --prefix tests/push_server` (make pytest)")
    env = {"PATH": str(Path(node).parent), "FHIR_PUSH_TOKEN": token}
    # Output goes to a file, not a pipe nobody drains (a full pipe would stall the server).
    with tempfile.TemporaryDirectory(prefix="fhirgate-medplum-") as scratch:
        log = Path(scratch) / "server.log"
        with log.open("w") as output:
            process = subprocess.Popen(  # noqa: S603 - our own shim, fixed arguments
                [node, str(SERVER), "0"], cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        try:
            yield f"http://127.0.0.1:{_port(log, process)}/fhir"
        finally:
            process.terminate()
            process.wait(timeout=10)


def _port(log: Path, process: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if line.startswith("listening "):
                return int(line.split()[1])
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"the Medplum push server did not start: {log.read_text()[-2000:]}")
