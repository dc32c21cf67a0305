from __future__ import annotations

import stat
from pathlib import Path

from keyring.backends import fail

from fhirgate.secrets import FileKeyring, SecretStore, keychain_available
from fhirgate.settings import KaiserSettings, Settings


def _settings(home: Path) -> Settings:
    return Settings(home=home, kaiser=KaiserSettings())


def test_no_keychain_falls_back_to_a_private_file_and_says_so(tmp_path: Path) -> None:
    import keyring

    keyring.set_keyring(fail.Keyring())
    store = SecretStore.for_settings(_settings(tmp_path / "home"))
    store.set("facade-token", "s3cr3t-value")

    secrets_file = tmp_path / "home" / "secrets.json"
    assert isinstance(store.backend, FileKeyring)
    assert "file fallback" in store.description and str(secrets_file) in store.description
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(secrets_file.parent.stat().st_mode) == 0o700
    assert SecretStore.for_settings(_settings(tmp_path / "home")).get("facade-token") == "s3cr3t-value"


def test_file_backend_delete_is_idempotent_through_the_store(tmp_path: Path) -> None:
    store = SecretStore("svc", FileKeyring(tmp_path / "s.json"))
    store.set("a", "1")
    store.delete("a")
    store.delete("a")
    assert store.get("a") is None


def test_a_usable_keychain_is_preferred(tmp_path: Path) -> None:
    store = SecretStore.for_settings(_settings(tmp_path))
    store.set("k", "v")
    assert not isinstance(store.backend, FileKeyring)
    assert store.description.startswith("OS keychain")
    assert not (tmp_path / "secrets.json").exists()


def test_keychain_detection() -> None:
    assert not keychain_available(fail.Keyring())


def test_each_home_gets_its_own_keyring_namespace(tmp_path: Path) -> None:
    one = _settings(tmp_path / "a").keyring_service
    two = _settings(tmp_path / "b").keyring_service
    assert one != two and one.startswith("fhirgate-")


def test_the_public_surface_is_declared() -> None:
    import fhirgate.secrets

    assert fhirgate.secrets.__all__ == sorted(fhirgate.secrets.__all__)
    assert all(hasattr(fhirgate.secrets, name) for name in fhirgate.secrets.__all__)
