"""`fhirgate mcp --demo` end to end, as Claude Desktop launches it: a real stdio MCP client session on a fresh
home; the sandbox kp.org and practice run inside the server process; a read and a refill preview are
answered by them; nothing outside loopback is looked up or connected to (the socket-level guard of
tests/security/loopback_only); when the client leaves, the demo home records that its sandboxes stopped.
And `--install-claude-desktop --demo` writes the entry that launches it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from mcp import Client
from mcp_types import TextContent

from fhirgate.home_manifest import read_manifest
from sandbox.patient import generate_patient
from tests.home_modes import loose_paths
from tests.security.loopback_cli import GuardedCli


def _text(blocks: Sequence[object]) -> str:
    return "\n".join(block.text for block in blocks if isinstance(block, TextContent))


def _medicine_names() -> set[str]:
    prescriptions = generate_patient(seed=1).rx_details["prescriptions"]
    return {
        str(rx["medicineName"])
        for bucket in prescriptions.values()
        if isinstance(bucket, list)
        for rx in bucket
        if isinstance(rx, dict) and rx.get("medicineName")
    }


@pytest.mark.browser
async def test_mcp_demo_serves_the_sandbox_patient_reads_and_refill_previews_over_stdio(tmp_path: Path) -> None:
    cli = GuardedCli(tmp_path / "home", tmp_path / "network.log")
    async with Client(cli.mcp("--demo"), read_timeout_seconds=120) as client:
        labs = await client.call_tool(
            "fhir_search", {"source": "kaiser", "resource_type": "Observation", "params": {"category": "laboratory"}}
        )
        meds = await client.call_tool("fhir_search", {"source": "kaiser", "resource_type": "MedicationRequest"})
        med_id = next(
            line.split("|")[0].strip() for line in _text(meds.content).splitlines() if "MedicationRequest/" in line
        )
        refill = await client.call_tool("request_refill", {"medication_request_id": med_id.split("/")[-1]})
        practice = await client.call_tool("fhir_search", {"source": "demo-practice", "resource_type": "Condition"})
        manifest = json.loads((tmp_path / "home" / "demo" / "home.json").read_text(encoding="utf-8"))
    assert not labs.is_error and "Observation/" in _text(labs.content)
    preview = _text(refill.content)
    assert not refill.is_error, preview
    assert any(name in preview for name in _medicine_names())  # the in-process sandbox answered the preview
    assert "Oakland, CA" in preview  # the sandbox patient's mailing address
    assert not practice.is_error and "Condition/" in _text(practice.content)
    assert manifest["kind"] == "demo" and isinstance(manifest["sandboxes"]["pid"], int)
    assert all(origin.startswith("http://127.0.0.1:") for origin in manifest["sandboxes"]["origins"])
    assert cli.attempts() == []
    after = read_manifest(tmp_path / "home" / "demo")
    assert after is not None and after.sandboxes is not None
    assert not after.sandboxes.running  # the sandboxes left with the server
    assert loose_paths(tmp_path / "home" / "demo") == []


def test_install_claude_desktop_demo_launches_mcp_demo_beside_the_real_entry(tmp_path: Path) -> None:
    cli = GuardedCli(tmp_path / "home", tmp_path / "network.log")
    user = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "HOME": str(tmp_path)}
    for extra in ([], ["--demo"]):
        done = cli.run("mcp", "--install-claude-desktop", *extra, extra_env=user)
        assert done.returncode == 0, done.stderr
    config = json.loads((tmp_path / "config" / "Claude" / "claude_desktop_config.json").read_text(encoding="utf-8"))
    servers = config["mcpServers"]
    assert servers["fhirgate"]["args"] == ["mcp"]
    assert servers["fhirgate-demo"]["args"] == ["mcp", "--demo"]
    assert servers["fhirgate-demo"]["env"] == {"FHIRGATE_HOME": str((tmp_path / "home").resolve())}
    assert Path(servers["fhirgate-demo"]["command"]).is_absolute()
