"""`fhirgate wipe` leaves nothing of the user's behind; `fhirgate doctor` finds what is broken."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
from typer.testing import CliRunner

from fhir_client import SourceSecrets
from fhirgate.cli import app
from fhirgate.doctor_checks import CheckResult, check_kaiser_session, check_permissions, check_store
from fhirgate.doctor_sources import check_claude_desktop, check_practice_tokens
from fhirgate.secrets import SecretStore
from fhirgate.settings import KaiserSettings, Settings, ensure_private_dir
from fhirgate.smart_connect import catalog_for
from gateway.kaiser.session import PortalSession, save_session
from gateway.store import SqliteStore
from mcp_server.transport.claude_desktop import config_block, install_config
from tests.conftest import InMemoryKeyring
from tests.fhirgate.source_records import add_practice


def _settings(home: Path) -> Settings:
    return Settings(home=home, kaiser=KaiserSettings(portal_url="https://healthy.example.test"))


def _populate(settings: Settings) -> SecretStore:
    store = SqliteStore.open(settings.store_path)
    store.record_surface_failure("profile", "x", now=datetime(2026, 1, 1, tzinfo=UTC))
    store.close()
    ensure_private_dir(settings.browser_profile_dir)
    (settings.browser_profile_dir / "Cookies").write_text("cookie jar")  # an earlier version's profile
    (settings.browser_profile_dir / "Cookies").chmod(0o600)
    settings.audit_log_path.write_text('{"op": "preview"}\n')
    settings.audit_log_path.chmod(0o600)
    secrets = SecretStore.for_settings(settings)
    secrets.set("kaiser-password", "pw")
    secrets.set("facade-token", "tok")
    save_session(secrets, PortalSession(cookies=({"name": "a", "value": "b"},), user_agent="UA"))
    return secrets


def test_wipe_removes_everything_but_the_audit_log(tmp_path: Path, memory_keyring: InMemoryKeyring) -> None:
    settings = _settings(tmp_path / "home")
    _populate(settings)
    result = CliRunner().invoke(app, ["wipe", "--yes"], env={"FHIRGATE_HOME": str(settings.home)})
    assert result.exit_code == 0, result.output
    assert [p.name for p in settings.home.iterdir()] == ["audit.log"]
    assert memory_keyring.secrets == {}


def test_wipe_all_leaves_no_trace(tmp_path: Path, memory_keyring: InMemoryKeyring) -> None:
    settings = _settings(tmp_path / "home")
    _populate(settings)
    result = CliRunner().invoke(app, ["wipe", "--all", "--yes"], env={"FHIRGATE_HOME": str(settings.home)})
    assert result.exit_code == 0, result.output
    assert not settings.home.exists()
    assert memory_keyring.secrets == {}


def test_wipe_without_confirmation_deletes_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "home")
    _populate(settings)
    result = CliRunner().invoke(app, ["wipe"], input="n\n", env={"FHIRGATE_HOME": str(settings.home)})
    assert result.exit_code == 1
    assert settings.store_path.exists()


def test_doctor_flags_loose_permissions_and_a_corrupt_store(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "home")
    _populate(settings)
    assert check_permissions(settings).ok
    settings.audit_log_path.chmod(0o644)
    loose = check_permissions(settings)
    assert not loose.ok and "audit.log" in loose.detail and "chmod" in loose.fix

    assert check_store(settings).ok
    settings.store_path.write_bytes(b"not a database" * 100)
    for sidecar in settings.home.glob("store.sqlite3-*"):
        sidecar.unlink()
    assert not check_store(settings).ok


def test_doctor_probes_the_kaiser_session_with_keepalive(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "home")
    secrets = _populate(settings)

    def alive(request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/mychartcn/keepalive.asp"
        return httpx2.Response(200, text="<html></html>")

    def dead(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"location": "https://identityauth.example.test/as/x"})

    assert check_kaiser_session(settings, secrets, transport=httpx2.MockTransport(alive)).ok
    expired = check_kaiser_session(settings, secrets, transport=httpx2.MockTransport(dead))
    assert not expired.ok and expired.fix == "fhirgate login kaiser"


def test_doctor_says_which_practices_can_renew_their_tokens(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "home")
    ensure_private_dir(settings.home)
    secrets = SecretStore.for_settings(settings)
    now = 1_800_000_000.0
    for name, state, expires, refresh in [
        ("renewable", "connected", now - 10, "r1"),
        ("short", "connected", now + 600, None),
        ("lapsed", "connected", now - 10, None),
        ("revoked", "reconnect", now - 10, "r2"),
        ("unfinished", "pending", None, None),
    ]:
        add_practice(catalog_for(settings), name, state, expires)
        if state != "pending":
            SourceSecrets(secrets, name).set_tokens(f"access-{name}", refresh)
    results = {r.name: r for r in check_practice_tokens(settings, secrets, now=now)}
    assert results["practice renewable"].ok and not results["practice renewable"].warning
    assert (
        results["practice short"].ok
        and results["practice short"].warning
        and "10 min" in results["practice short"].detail
    )
    for broken in ("lapsed", "revoked", "unfinished"):
        assert not results[f"practice {broken}"].ok
        assert results[f"practice {broken}"].fix == f"fhirgate connect {broken} https://ehr.test/{broken}/fhir"
    assert "access-" not in repr(results) and "r1" not in " ".join(r.detail for r in results.values())


def test_doctor_checks_that_claude_desktop_launches_this_install(tmp_path: Path) -> None:
    home, config = tmp_path / "home", tmp_path / "Claude" / "claude_desktop_config.json"
    executable = tmp_path / "bin" / "fhirgate"
    executable.parent.mkdir()
    executable.write_text("#!/bin/sh\n")
    missing = check_claude_desktop(config, str(executable), home)
    assert missing.ok and missing.warning and "--install-claude-desktop" in missing.fix

    install_config(config, config_block(str(executable), fhirgate_home=str(home)))
    assert check_claude_desktop(config, str(executable), home) == CheckResult(
        "claude desktop", True, f"{config} launches this install"
    )
    elsewhere = check_claude_desktop(config, str(executable), tmp_path / "other-home")
    assert elsewhere.ok and elsewhere.warning and "not this install" in elsewhere.detail

    install_config(config, config_block(str(tmp_path / "gone" / "fhirgate")))
    gone = check_claude_desktop(config, str(executable), home)
    assert not gone.ok and "missing" in gone.detail

    config.write_text("[1, 2]")
    assert not check_claude_desktop(config, str(executable), home).ok
