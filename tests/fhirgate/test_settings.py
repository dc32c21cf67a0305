from __future__ import annotations

from pathlib import Path

from fhirgate.settings import DEFAULT_PORTAL_URL, Settings


def test_settings_come_from_the_environ_mapping(tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {
            "FHIRGATE_HOME": str(tmp_path),
            "FHIRGATE_KAISER_PORTAL_URL": "http://127.0.0.1:9999/",
            "FHIRGATE_FACADE_PORT": "9000",
        }
    )
    assert settings.home == tmp_path
    assert settings.kaiser.portal_url == "http://127.0.0.1:9999"
    assert settings.facade_port == 9000
    assert settings.store_path == tmp_path / "store.sqlite3"


def test_defaults_point_at_kp_org() -> None:
    settings = Settings.from_environ({})
    assert settings.kaiser.portal_url == DEFAULT_PORTAL_URL
    assert settings.home == Path.home() / ".fhirgate"
    assert settings.keyring_service == "fhirgate"
