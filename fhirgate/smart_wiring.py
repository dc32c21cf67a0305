"""Where the SMART server meets a fhirgate home: its database (``FHIRGATE_HOME/smart.sqlite3``), its
id_token signing key (in the keychain, created on first use), and the patient the record belongs to."""

from __future__ import annotations

from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings, ensure_private_dir
from gateway.search.parsing import parse_search
from gateway.smart_server import (
    AppRegistry,
    IdTokenSigner,
    SmartAuthorizationServer,
    SmartDatabase,
    TokenStore,
    new_signing_key,
)
from gateway.store import ResourceStore

__all__ = ["SIGNING_KEY_NAME", "app_registry", "home_smart_server", "record_patient_id"]

SIGNING_KEY_NAME = "smart-signing-key"


def smart_database(settings: Settings) -> SmartDatabase:
    return SmartDatabase(ensure_private_dir(settings.home) / "smart.sqlite3")


def app_registry(settings: Settings) -> AppRegistry:
    return AppRegistry(smart_database(settings))


def record_patient_id(store: ResourceStore) -> str | None:
    """The id of the record's Patient (the facade serves one person's record)."""
    page = store.search(parse_search("Patient", [("_count", "1")]))
    return page.entries[0].id if page.entries else None


def home_smart_server(settings: Settings, secrets: SecretStore, store: ResourceStore) -> SmartAuthorizationServer:
    key = secrets.get(SIGNING_KEY_NAME)
    if not key:
        key = new_signing_key()
        secrets.set(SIGNING_KEY_NAME, key)
    database = smart_database(settings)
    return SmartAuthorizationServer(
        AppRegistry(database), TokenStore(database), IdTokenSigner(key), patient_id=lambda: record_patient_id(store)
    )
