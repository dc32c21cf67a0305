"""`fhirgate status` and `fhirgate token` through the real CLI entry point (typer's runner)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from keyring.backends import fail
from typer.testing import CliRunner

from fhir_client import SourceCatalog
from fhirgate.cli import app
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from gateway.kaiser.session import SESSION_SECRET_NAME
from gateway.store import SqliteStore
from tests.fhirgate.source_records import add_practice


@pytest.fixture
def no_keychain() -> None:
    import keyring

    keyring.set_keyring(fail.Keyring())  # the autouse fixture restores the in-memory one


def test_status_names_the_file_fallback_and_the_surfaces(tmp_path: Path, no_keychain: None) -> None:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    store.record_surface_failure("medications", "pharmacy answered 401", now=datetime(2026, 1, 1, tzinfo=UTC))
    store.close()
    result = CliRunner().invoke(app, ["status"], env={"FHIRGATE_HOME": str(tmp_path), "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "file fallback" in result.output and "secrets.json" in result.output
    assert "medications" in result.output and "pharmacy answered 401" in result.output


def test_token_is_created_once_and_then_stable(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["token"], env={"FHIRGATE_HOME": str(tmp_path)})
    second = runner.invoke(app, ["token"], env={"FHIRGATE_HOME": str(tmp_path)})
    assert first.exit_code == 0 and first.output == second.output and len(first.output.strip()) >= 40


def _env(home: Path) -> dict[str, str]:
    return {"FHIRGATE_HOME": str(home), "COLUMNS": "250"}


def _row(output: str, source: str) -> str:
    return next(line for line in output.splitlines() if line.strip("│┃ ").startswith(source + " "))


def test_status_is_one_table_of_sources_with_the_next_step_for_each(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    now = datetime.now(UTC)
    patient = {"resourceType": "Patient", "id": "p1"}
    observations = [
        {"resourceType": "Observation", "id": f"o{i}", "status": "final", "code": {"text": "x"}} for i in range(3)
    ]
    store.write_surface("profile", [patient], now=now - timedelta(minutes=5))
    store.write_surface("test-results", observations, now=now - timedelta(minutes=5))
    store.close()
    SecretStore.for_settings(Settings.from_environ(_env(tmp_path))).set(SESSION_SECRET_NAME, "{}")
    catalog = SourceCatalog(tmp_path / "sources.sqlite3")
    add_practice(catalog, "dr-valid", "connected", time.time() + 1800)
    add_practice(catalog, "dr-pending", "pending", None)
    add_practice(catalog, "dr-revoked", "reconnect", time.time() - 60)

    result = CliRunner().invoke(app, ["status"], env=_env(tmp_path))

    assert result.exit_code == 0, result.output
    kaiser = _row(result.output, "kaiser")
    assert "synced" in kaiser and "5 min ago" in kaiser and "4 (3 Observation, 1 Patient)" in kaiser
    assert "MB" in kaiser and "nothing to do" in kaiser
    assert "connected" in _row(result.output, "dr-valid") and "valid 29 min" in _row(result.output, "dr-valid")
    assert "connect --complete" in _row(result.output, "dr-pending")
    assert "fhirgate connect dr-revoked https://ehr.test/dr-revoked/fhir" in _row(result.output, "dr-revoked")


@pytest.mark.parametrize(
    ("signed_in", "failure", "state", "step"),
    [
        (False, None, "signed out", "fhirgate login kaiser"),
        (True, None, "synced (stale)", "fhirgate sync"),
        (True, "the session expired and the silent login failed", "session expired", "fhirgate login kaiser"),
        (True, "pharmacy answered 500", "1 surface(s) failing", "fhirgate doctor"),
    ],
)
def test_kaiser_state_says_what_to_do_next(
    tmp_path: Path, signed_in: bool, failure: str | None, state: str, step: str
) -> None:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    store.write_surface("profile", [{"resourceType": "Patient", "id": "p1"}], now=datetime(2026, 1, 1, tzinfo=UTC))
    if failure:
        store.record_surface_failure("medications", failure, now=datetime(2026, 1, 2, tzinfo=UTC))
    store.close()
    if signed_in:
        SecretStore.for_settings(Settings.from_environ(_env(tmp_path))).set(SESSION_SECRET_NAME, "{}")
    result = CliRunner().invoke(app, ["status"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    kaiser = _row(result.output, "kaiser")
    assert state in kaiser and step in kaiser


def test_status_before_anything_was_set_up_creates_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["status"], env=_env(home))
    assert result.exit_code == 0, result.output
    assert "never synced" in _row(result.output, "kaiser") and "fhirgate login kaiser" in result.output
    assert not (home / "store.sqlite3").exists()
