"""The SMART server as `fhirgate serve` wires it into a home: one signing key kept in the keychain (a
restart publishes the same JWKS), the record's patient, and discovery on the served facade."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from fhirgate.commands.serve import build_facade
from fhirgate.kaiser_source import KaiserSource
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.smart_wiring import SIGNING_KEY_NAME, home_smart_server
from tests.bulk.small_record import seed_small_record


def test_serve_wiring_keeps_one_signing_key_and_serves_discovery(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
    secrets = SecretStore.for_settings(settings)
    store = seed_small_record(tmp_path / "store.sqlite3").store
    try:
        first = home_smart_server(settings, secrets, store)
        assert secrets.get(SIGNING_KEY_NAME)
        again = home_smart_server(settings, secrets, store)
        assert first.signer.jwks() == again.signer.jwks()
        assert (settings.home / "smart.sqlite3").stat().st_mode & 0o777 == 0o600
        facade = build_facade(KaiserSource(store), token="t", host="127.0.0.1", port=8765, cors_origins=[], smart=again)
        with TestClient(facade, base_url="http://127.0.0.1:8765") as client:
            config = client.get("/.well-known/smart-configuration").json()
            assert config["token_endpoint"] == "http://127.0.0.1:8765/oauth/token"
            assert client.get("/oauth/jwks").json() == first.signer.jwks()
    finally:
        store.close()
