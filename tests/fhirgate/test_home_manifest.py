"""The home manifest (what a home belongs to) and the reach guard built on it: written atomically 0600, read
back whole; a kaiser home refuses another portal, a demo home ignores the environment and reaches only its
running sandboxes; --offline reaches nothing; the guarded transport refuses before the inner transport."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from fhirgate.home_manifest import (
    HomeManifest,
    HomeMismatch,
    SandboxRun,
    add_demo_sandbox,
    demo_sandboxes_stopped,
    home_settings,
    read_manifest,
    record_demo_sandboxes,
    record_kaiser_portal,
    write_manifest,
)
from fhirgate.home_reach import OFFLINE, SANDBOX_NOT_RUNNING, HomeReach
from fhirgate.settings import KaiserSettings, Settings

PORTAL = "http://127.0.0.1:40001"
EHR = "http://127.0.0.1:40002"
SANDBOX = KaiserSettings(portal_url=PORTAL, identity_url=PORTAL, pharmacy_url=PORTAL, username="jordan")


def _settings(home: Path, **environ: str) -> Settings:
    env = {"FHIRGATE_HOME": str(home), **environ}
    return home_settings(Settings.from_environ(env), env)


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(done.stdout)


def test_a_manifest_is_written_0600_atomically_and_read_back_whole(tmp_path: Path) -> None:
    manifest = HomeManifest("demo", SANDBOX, SandboxRun((PORTAL, EHR), 42))
    write_manifest(tmp_path / "home", manifest)
    assert read_manifest(tmp_path / "home") == manifest
    assert (tmp_path / "home" / "home.json").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "home").stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in (tmp_path / "home").iterdir()) == ["home.json"]  # no temporary left behind


def test_a_damaged_manifest_is_an_error_not_a_fallback_to_kaiser(tmp_path: Path) -> None:
    (tmp_path / "home.json").write_text('{"kind": "demo", "kaiser": ', encoding="utf-8")
    with pytest.raises(HomeMismatch, match="damaged"):
        _settings(tmp_path)


def test_a_home_without_a_manifest_takes_the_portal_from_the_environment(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) is None
    assert _settings(tmp_path, FHIRGATE_KAISER_PORTAL_URL=PORTAL).kaiser.portal_url == PORTAL


def test_a_kaiser_home_keeps_its_portal_and_refuses_another(tmp_path: Path) -> None:
    record_kaiser_portal(tmp_path, KaiserSettings(portal_url=PORTAL, identity_url=PORTAL, pharmacy_url=PORTAL))
    assert _settings(tmp_path).kaiser.portal_url == PORTAL
    assert _settings(tmp_path, FHIRGATE_KAISER_PORTAL_URL=PORTAL + "/").kaiser.portal_url == PORTAL
    with pytest.raises(HomeMismatch, match="one home, one account"):
        _settings(tmp_path, FHIRGATE_KAISER_PORTAL_URL="https://healthy.kaiserpermanente.org")


def test_a_demo_home_uses_its_sandbox_whatever_the_environment_says(tmp_path: Path) -> None:
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid())
    settings = _settings(tmp_path, FHIRGATE_KAISER_PORTAL_URL="https://healthy.kaiserpermanente.org")
    assert settings.kaiser == SANDBOX


def test_a_demo_home_reaches_only_its_running_sandboxes(tmp_path: Path) -> None:
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid())
    add_demo_sandbox(tmp_path, EHR)
    reach = HomeReach.for_settings(_settings(tmp_path))
    assert reach.refusal(f"{PORTAL}/mychartcn/keepalive.asp") is None
    assert reach.refusal(f"{EHR}/fhir/r4/SBX/Condition") is None
    refused = reach.refusal("https://healthy.kaiserpermanente.org/mychartcn/keepalive.asp")
    assert refused is not None and "only its own sandboxes" in refused
    assert reach.refusal("http://127.0.0.1:40003/x") is not None  # loopback, but not one of its sandboxes


def test_a_demo_home_trusts_no_recorded_origin_outside_loopback(tmp_path: Path) -> None:
    kaiser = "https://healthy.kaiserpermanente.org"
    record_demo_sandboxes(tmp_path, KaiserSettings(portal_url=kaiser), (kaiser, PORTAL), os.getpid())
    reach = HomeReach.for_settings(_settings(tmp_path))
    assert reach.refusal(f"{kaiser}/mychartcn/keepalive.asp") is not None
    assert reach.refusal(PORTAL) is None


def test_once_the_demo_stopped_its_home_reaches_nothing_and_says_how_to_start_it(tmp_path: Path) -> None:
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid())
    demo_sandboxes_stopped(tmp_path, os.getpid())
    assert HomeReach.for_settings(_settings(tmp_path)).refusal(PORTAL) == SANDBOX_NOT_RUNNING
    assert "fhirgate mcp --demo" in SANDBOX_NOT_RUNNING


def test_a_killed_demo_counts_as_stopped(tmp_path: Path) -> None:
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), _dead_pid())
    assert HomeReach.for_settings(_settings(tmp_path)).refusal(PORTAL) == SANDBOX_NOT_RUNNING
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid())  # a new demo may take over a dead one's home


def test_a_second_demo_is_refused_while_one_runs_and_only_its_own_end_is_recorded(tmp_path: Path) -> None:
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid())
    with pytest.raises(HomeMismatch, match="already runs"):
        record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid() + 1_000_000)
    demo_sandboxes_stopped(tmp_path, _dead_pid())  # another process ending changes nothing
    manifest = read_manifest(tmp_path)
    assert manifest is not None and manifest.sandboxes is not None and manifest.sandboxes.running


def test_offline_reaches_nothing_even_a_running_sandbox(tmp_path: Path) -> None:
    record_demo_sandboxes(tmp_path, SANDBOX, (PORTAL,), os.getpid())
    assert HomeReach.for_settings(_settings(tmp_path), offline=True).refusal(PORTAL) == OFFLINE
    assert HomeReach(None, offline=True).refusal("https://fhir.example.org/r4") == OFFLINE
    assert HomeReach(None).refusal("https://fhir.example.org/r4") is None


async def test_the_guarded_transport_refuses_before_the_inner_transport_sees_the_request(tmp_path: Path) -> None:
    seen: list[str] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(str(request.url))
        return httpx2.Response(200, json={"resourceType": "Bundle"})

    record_demo_sandboxes(tmp_path, SANDBOX, (EHR,), os.getpid())
    reach = HomeReach.for_settings(_settings(tmp_path))
    async with httpx2.AsyncClient(transport=reach.transport(httpx2.MockTransport(answer))) as client:
        assert (await client.get(f"{EHR}/fhir/r4/SBX/Condition")).status_code == 200
        with pytest.raises(httpx2.UnsupportedProtocol, match="only its own sandboxes"):
            await client.get("https://fhir.healow.example/r4/Condition")
    offline = HomeReach.for_settings(_settings(tmp_path), offline=True)
    async with httpx2.AsyncClient(transport=offline.transport(httpx2.MockTransport(answer))) as client:
        with pytest.raises(httpx2.UnsupportedProtocol, match="--offline"):
            await client.get(f"{EHR}/fhir/r4/SBX/Condition")
    assert seen == [f"{EHR}/fhir/r4/SBX/Condition"]


def test_commands_refuse_a_mismatched_home_but_wipe_still_clears_it(tmp_path: Path) -> None:
    record_kaiser_portal(tmp_path, KaiserSettings(portal_url=PORTAL, identity_url=PORTAL, pharmacy_url=PORTAL))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")},
        "FHIRGATE_HOME": str(tmp_path),
        "FHIRGATE_KAISER_PORTAL_URL": "https://healthy.kaiserpermanente.org",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }

    def fhirgate(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "fhirgate", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603

    sync = fhirgate("sync")
    assert sync.returncode == 1 and "one home, one account" in sync.stderr
    assert fhirgate("wipe", "--yes", "--all").returncode == 0
    assert not (tmp_path / "home.json").exists()
