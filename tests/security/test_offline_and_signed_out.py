"""`--offline` covers every path, write previews included, and a home that never signed in contacts no one:
`fhirgate` subprocesses under the socket-level guard (``loopback_only/sitecustomize.py``) on a home whose
portal is the real kp.org. A control run without --offline shows the guard would see the attempt."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mcp import Client
from mcp_types import TextContent

from fhirgate.home_manifest import record_kaiser_portal
from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.settings import KaiserSettings, Settings
from gateway.kaiser.session import PortalSession, save_session
from tests.security.loopback_cli import KAISER, GuardedCli

MESSAGE = {"recipient": "ALEX SAMPLE MD", "topic": "Medication", "subject": "Refill", "text": "Please refill."}
LABS = {"source": "kaiser", "resource_type": "Observation", "params": {"category": "laboratory"}}


def _text(blocks: Sequence[object]) -> str:
    return "\n".join(block.text for block in blocks if isinstance(block, TextContent))


def _signed_in_kaiser_home(home: Path) -> None:
    """A home signed in to the real kp.org (a saved session) that has not synced yet."""
    settings = Settings.from_environ({"FHIRGATE_HOME": str(home)})
    secrets = SecretStore(settings.keyring_service, FileKeyring(home / "secrets.json"))
    cookie = {"name": "MyChartSessionToken4mychartcn", "value": "x", "domain": "healthy.kaiserpermanente.org"}
    save_session(secrets, PortalSession(cookies=(cookie,), user_agent="test"))
    record_kaiser_portal(home, KaiserSettings(portal_url=KAISER))


async def test_offline_mcp_refuses_write_previews_and_refreshes_nothing(tmp_path: Path) -> None:
    cli = GuardedCli(tmp_path / "home", tmp_path / "network.log")
    _signed_in_kaiser_home(cli.home)
    async with Client(cli.mcp("--offline", "--ttl", "0"), read_timeout_seconds=60) as client:
        labs = await client.call_tool("fhir_search", LABS)
        message = await client.call_tool("send_message", MESSAGE)
    assert not labs.is_error
    assert message.is_error and "--offline" in _text(message.content) and "nothing was" in _text(message.content)
    assert cli.attempts() == []


async def test_without_offline_the_same_preview_would_reach_kaiser(tmp_path: Path) -> None:
    # The control: the guard sees the attempt, so the test above could fail.
    cli = GuardedCli(tmp_path / "home", tmp_path / "network.log")
    _signed_in_kaiser_home(cli.home)
    async with Client(cli.mcp(), read_timeout_seconds=60) as client:
        message = await client.call_tool("send_message", MESSAGE)
    assert message.is_error
    assert any("healthy.kaiserpermanente.org" in attempt for attempt in cli.attempts())


async def test_a_home_that_never_signed_in_says_so_and_contacts_no_one(tmp_path: Path) -> None:
    cli = GuardedCli(tmp_path / "home", tmp_path / "network.log")
    async with Client(cli.mcp("--ttl", "0"), read_timeout_seconds=60) as client:
        labs = await client.call_tool("fhir_search", LABS)
        message = await client.call_tool("send_message", MESSAGE)
    sync = cli.run("sync")
    doctor = cli.run("doctor")
    status = cli.run("status")
    assert "fhirgate login kaiser" in _text(labs.content)
    assert message.is_error and "fhirgate login kaiser" in _text(message.content)
    assert sync.returncode == 1 and "not signed in" in sync.stderr and "fhirgate login kaiser" in sync.stderr
    assert "not signed in" in doctor.stdout
    assert "signed out" in status.stdout
    assert cli.attempts() == []
