"""A demo never touches the real kp.org: `fhirgate demo --once`, then `mcp` (a real stdio session), `status`,
`doctor`, `sync` and `login` on the demo home after the demo exited, every process under a socket-level
guard (``loopback_only/sitecustomize.py``) that refuses and records any non-loopback name lookup or
connection. Nothing is recorded, and every answer says the sandbox is not running and how to start it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from mcp import Client
from mcp_types import TextContent

from tests.security.loopback_cli import GuardedCli

pytestmark = pytest.mark.browser

NOT_RUNNING = "the demo sandbox is not running"
START = "fhirgate mcp --demo"


@pytest.fixture(scope="module")
def exited_demo(tmp_path_factory: pytest.TempPathFactory) -> GuardedCli:
    """A demo home after `fhirgate demo --once` exited (its sandboxes are gone)."""
    base = tmp_path_factory.mktemp("guarded-home")
    cli = GuardedCli(base, base.parent / f"{base.name}-network.log")
    done = cli.run("demo", "--once")
    assert done.returncode == 0, done.stderr[-3000:]
    assert cli.attempts() == []
    return cli.at(base / "demo")


def _text(blocks: Sequence[object]) -> str:
    return "\n".join(block.text for block in blocks if isinstance(block, TextContent))


def test_the_guard_refuses_and_records_a_non_loopback_lookup(tmp_path: Path) -> None:
    cli = GuardedCli(tmp_path, tmp_path / "network.log")
    probe = (
        "import socket\ntry:\n    socket.getaddrinfo('healthy.kaiserpermanente.org', 443)\nexcept OSError:\n    pass"
    )
    subprocess.run([sys.executable, "-c", probe], env=cli.env(), check=True, timeout=30)  # noqa: S603
    assert cli.attempts() and "healthy.kaiserpermanente.org" in cli.attempts()[0]


def test_the_demo_home_records_its_loopback_sandboxes_and_that_they_stopped(exited_demo: GuardedCli) -> None:
    manifest_path = exited_demo.home / "home.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["kind"] == "demo"
    assert manifest["kaiser"]["portal_url"].startswith("http://127.0.0.1:")
    assert len(manifest["sandboxes"]["origins"]) == 2
    assert all(origin.startswith("http://127.0.0.1:") for origin in manifest["sandboxes"]["origins"])
    assert manifest["sandboxes"]["pid"] is None
    assert manifest_path.stat().st_mode & 0o777 == 0o600


async def test_mcp_on_an_exited_demo_home_says_the_sandbox_is_not_running_and_reaches_nothing(
    exited_demo: GuardedCli,
) -> None:
    # --ttl 0: every search first tries to refresh, which is where kp.org used to be contacted.
    async with Client(exited_demo.mcp("--ttl", "0"), read_timeout_seconds=60) as client:
        labs = await client.call_tool(
            "fhir_search", {"source": "kaiser", "resource_type": "Observation", "params": {"category": "laboratory"}}
        )
        meds = await client.call_tool("fhir_search", {"source": "kaiser", "resource_type": "MedicationRequest"})
        sources = await client.call_tool("list_sources", {})
        med_id = next(
            line.split("|")[0].strip() for line in _text(meds.content).splitlines() if "MedicationRequest/" in line
        )
        refill = await client.call_tool("request_refill", {"medication_request_id": med_id.split("/")[-1]})
        practice = await client.call_tool("fhir_search", {"source": "demo-practice", "resource_type": "Condition"})
    assert not labs.is_error and "Observation/" in _text(labs.content)  # the store still answers
    assert NOT_RUNNING in _text(labs.content) and START in _text(labs.content)
    assert NOT_RUNNING in _text(sources.content)
    assert refill.is_error and NOT_RUNNING in _text(refill.content)
    assert practice.is_error
    assert exited_demo.attempts() == []


def test_status_doctor_and_sync_on_an_exited_demo_home_say_so_and_reach_nothing(exited_demo: GuardedCli) -> None:
    status = exited_demo.run("status")
    doctor = exited_demo.run("doctor")
    sync = exited_demo.run("sync")
    assert status.returncode == 0 and "sandbox not running" in status.stdout
    assert doctor.returncode == 1 and "sandbox portal is not running" in doctor.stdout
    assert sync.returncode == 1 and NOT_RUNNING in sync.stderr and START in sync.stderr
    assert "Traceback" not in status.stderr + doctor.stderr + sync.stderr
    assert exited_demo.attempts() == []


def test_login_and_connect_on_a_demo_home_are_refused_before_any_request(exited_demo: GuardedCli) -> None:
    login = exited_demo.run("login", "kaiser", "--headless")
    connect = exited_demo.run("connect", "dr-lee", "https://fhir4.eclinicalworks.com/fhir/r4/ABC", "--no-browser")
    assert login.returncode == 1 and "demo home" in login.stderr
    assert connect.returncode == 1 and "only its own sandboxes" in connect.stderr
    assert exited_demo.attempts() == []
