"""`fhirgate wipe` leaves nothing of the user's behind; `fhirgate doctor` finds what is broken."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
from typer.testing import CliRunner

from fhirgate.cli import app
from fhirgate.doctor_checks import check_kaiser_session, check_permissions, check_store
from fhirgate.secrets import SecretStore
from fhirgate.settings import KaiserSettings, Settings, ensure_private_dir
from gateway.kaiser.session import PortalSession, save_session
from gateway.store import SqliteStore
from tests.conftest import InMemoryKeyring


def _settings(home: Path) -> Settings:
    return Settings(home=home, kaiser=KaiserSettings(portal_url="https://healthy.example.test"))


def _populate(settings: Settings) -> SecretStore:
    store = SqliteStore.open(settings.store_path)
    store.record_surface_failure("profile", "x", now=datetime(2026, 1, 1, tzinfo=UTC))
    store.close()
    ensure_private_dir(settings.browser_profile_dir)
    (settings.browser_profile_dir / "Cookies").write_text("cookie jar")
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
