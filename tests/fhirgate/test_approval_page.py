"""The MCP server's approval page starts off the path of the first answers: not while the server
starts, then in the background (recording its address under the home), or at once when a write
needs its address; and `fhirgate mcp`'s modules load neither the web app nor the SMART launch."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx2

from fhirgate.approval_page import ApprovalPage
from fhirgate.approval_wiring import approval_decisions, recorded_web_address
from fhirgate.settings import Settings


def _settings(home: Path) -> Settings:
    return Settings.from_environ({"FHIRGATE_HOME": str(home)})


def test_the_page_starts_when_its_address_is_first_needed(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with ApprovalPage(settings, approval_decisions(settings), delay=3600) as page:
        assert recorded_web_address(settings) is None  # nothing served while the server starts
        address = page.base_url()
        assert address is not None and address.startswith("http://127.0.0.1:")
        assert page.base_url() == address and recorded_web_address(settings) == address
        assert httpx2.get(f"{address}/static/app.css", timeout=5).status_code == 200
    assert page.base_url() is None  # stopped with the server
    try:
        httpx2.get(f"{address}/static/app.css", timeout=2)
    except httpx2.HTTPError:
        pass
    else:
        raise AssertionError("the page still answers after the block exited")


def test_the_page_starts_in_the_background_after_the_delay(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with ApprovalPage(settings, approval_decisions(settings), delay=0.05):
        deadline = time.monotonic() + 20
        while recorded_web_address(settings) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        address = recorded_web_address(settings)
        assert address is not None
        assert httpx2.get(f"{address}/static/app.css", timeout=5).status_code == 200


def test_the_mcp_command_loads_neither_the_web_app_nor_the_smart_launch() -> None:
    probe = (
        "import sys\n"
        "import fhirgate.commands.mcp, fhirgate.mcp_sources, fhirgate.write_wiring, fhirgate.practice_finder\n"
        "import mcp_server.transport.stdio, mcp_server.tools.whats_new\n"
        "print(sorted(m for m in ('authlib', 'joserfc', 'jinja2', 'gateway.web', 'fhirgate.doctor_checks')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"
