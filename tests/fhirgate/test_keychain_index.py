"""`fhirgate wipe` removes every keychain entry a home ever made: its own, the demo home's nested in it,
and those it made under the namespace of the path it had before it was moved."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fhir_client import SourceSecrets
from fhirgate.cli import app
from fhirgate.facade_token import facade_token
from fhirgate.keychain_index import INDEX_FILE, KeychainIndex
from fhirgate.secrets import SecretStore
from fhirgate.settings import KaiserSettings, Settings
from fhirgate.write_wiring import confirmation_key
from gateway.kaiser.browser_memory import KeychainBrowserMemory
from gateway.kaiser.session import PortalSession, save_session
from tests.conftest import InMemoryKeyring


def _settings(home: Path) -> Settings:
    return Settings(home=home, kaiser=KaiserSettings())


def _what_the_demo_stores(secrets: SecretStore) -> None:
    secrets.set("kaiser-password", "demo-password")
    save_session(secrets, PortalSession(cookies=({"name": "a", "value": "b"},), user_agent="UA"))
    KeychainBrowserMemory(secrets).remember({"cookies": [], "origins": []})
    SourceSecrets(secrets, "demo-practice").set_tokens("access", "refresh")
    SourceSecrets(secrets, "demo-practice").set_client_secret("client-secret")
    facade_token(secrets)
    confirmation_key(secrets)


@pytest.mark.parametrize("flags", [["--all"], []])
def test_wipe_removes_the_demo_namespace_and_a_moved_homes_entries(
    tmp_path: Path, memory_keyring: InMemoryKeyring, flags: list[str]
) -> None:
    before_move = _settings(tmp_path / "old-place")
    SecretStore.for_settings(before_move).set("kaiser-password", "pw")
    (tmp_path / "old-place").rename(tmp_path / "home")
    home = _settings(tmp_path / "home")
    assert home.keyring_service != before_move.keyring_service
    SecretStore.for_settings(home).set("facade-token", "t" * 43)
    demo = _settings(home.home / "demo")
    _what_the_demo_stores(SecretStore.for_settings(demo))
    services = {service for service, _ in memory_keyring.secrets}
    assert services == {before_move.keyring_service, home.keyring_service, demo.keyring_service}
    assert len(memory_keyring.secrets) == 1 + 1 + 7

    result = CliRunner().invoke(app, ["wipe", "--yes", *flags], env={"FHIRGATE_HOME": str(home.home)})
    assert result.exit_code == 0, result.output
    assert memory_keyring.secrets == {}
    assert f"{demo.keyring_service}/facade-token" in result.output.replace("\n", "")


def test_the_index_holds_names_never_values(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "home")
    secrets = SecretStore.for_settings(settings)
    secrets.set("kaiser-password", "hunter2-value")
    secrets.set("facade-token", "t" * 43)
    secrets.delete("facade-token")
    index = KeychainIndex(settings.home)
    assert index.entries() == [(settings.keyring_service, "kaiser-password")]
    text = (settings.home / INDEX_FILE).read_text()
    assert "hunter2" not in text
    assert (settings.home / INDEX_FILE).stat().st_mode & 0o777 == 0o600


def test_wipe_still_removes_entries_listed_by_the_keychain_index_of_earlier_versions(
    tmp_path: Path, memory_keyring: InMemoryKeyring
) -> None:
    settings = _settings(tmp_path / "home")
    settings.home.mkdir(mode=0o700)
    service = settings.keyring_service
    memory_keyring.secrets[(service, "kaiser-session")] = "{}"
    memory_keyring.secrets[(service, "_index")] = '["kaiser-session"]'
    result = CliRunner().invoke(app, ["wipe", "--yes"], env={"FHIRGATE_HOME": str(settings.home)})
    assert result.exit_code == 0, result.output
    assert memory_keyring.secrets == {}
