"""`fhirgate status` and `fhirgate token` through the real CLI entry point (typer's runner)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from keyring.backends import fail
from typer.testing import CliRunner

from fhirgate.cli import app
from gateway.store import SqliteStore


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
