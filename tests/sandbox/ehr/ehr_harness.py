"""Shared by the EHR, client, CLI and e2e tests: registered apps with their keys, the sandbox EHR
in-process or on loopback, and a form-posting patient that consents (Chromium does it in e2e)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from joserfc.jwk import RSAKey

from fhir_client import (
    ClientAuthMethod,
    ClientCredentials,
    FhirClient,
    SourceCatalog,
    begin_launch,
    complete_launch,
    open_smart_client,
    private_key_name,
)
from fhirgate.serving import serve_in_thread
from sandbox.ehr import EhrApp, EhrClient, EhrConfig, EhrProfile, create_ehr_app

ORIGIN = "http://127.0.0.1"
REDIRECT_URI = "http://127.0.0.1:8999/callback"
CLIENT_SECRET = "sandbox-client-secret-4f9d"


@dataclass(frozen=True)
class AppKeys:
    private_jwk: str
    jwks: dict[str, object]
    kid: str


def make_keys() -> AppKeys:
    key = RSAKey.generate_key(2048, parameters={"alg": "RS384", "use": "sig"}, private=True)
    key.ensure_kid()
    kid = str(key.kid)
    return AppKeys(json.dumps(key.as_dict(private=True)), {"keys": [key.as_dict(private=False)]}, kid)


KEYS = make_keys()


def ehr_config(
    clock: Callable[[], float] | None = None, *, profile: EhrProfile = "generic", **changes: object
) -> EhrConfig:
    """The three registered apps; the generic SMART profile unless `profile="ecw"`."""
    clients = (
        EhrClient("app-secret", "client_secret", client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT_URI,)),
        EhrClient("app-jwt", "private_key_jwt", jwks=KEYS.jwks, redirect_uris=(REDIRECT_URI,)),
        EhrClient("app-public", "public", redirect_uris=(REDIRECT_URI,)),
    )
    config = EhrConfig(clients=clients, profile=profile, **changes)  # type: ignore[arg-type]
    if clock is not None:
        config.clock = clock
    return config


def in_process(ehr: EhrApp) -> httpx2.ASGITransport:
    return httpx2.ASGITransport(app=ehr.app)


@contextmanager
def running_ehr(tmp_path: Path, config: EhrConfig) -> Iterator[tuple[EhrApp, str]]:
    """The EHR on a loopback port: yields the app and its FHIR base URL."""
    ehr = create_ehr_app(config, tmp_path / "ehr")
    try:
        with serve_in_thread(ehr.app) as server:
            yield ehr, ehr.fhir_base(server.base_url)
    finally:
        ehr.store.close()


async def consent_by_form(
    authorize_url: str,
    transport: httpx2.AsyncBaseTransport | None,
    *,
    password: str = "sandbox-ehr-password",  # noqa: S107 - the sandbox patient's invented password
    drop_scopes: tuple[str, ...] = (),
    decision: str = "allow",
) -> str:
    """Sign in and consent as the patient would; returns the redirect URL the app receives."""
    async with httpx2.AsyncClient(transport=transport, follow_redirects=False) as http:
        page = await http.get(authorize_url)
        if page.status_code == 302:
            return page.headers["location"]
        assert page.status_code == 200, page.text
        request_id = re.search(r"name='request_id' value='([^']+)'", page.text)
        assert request_id is not None, page.text
        origin = f"{page.url.scheme}://{page.url.netloc.decode()}"
        consent = await http.post(
            f"{origin}/oauth/oauth2/login",
            data={"request_id": request_id.group(1), "username": "patient", "password": password},
        )
        scopes = [s for s in re.findall(r"name='scope' value='([^']+)'", consent.text) if s not in drop_scopes]
        done = await http.post(
            f"{origin}/oauth/oauth2/consent",
            data={"request_id": request_id.group(1), "scope": scopes, "decision": decision},
        )
        assert done.status_code == 302, done.text
        return done.headers["location"]


class MemorySecrets:
    """A `SecretBackend` in a dict (the tests' keychain)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def credentials(method: ClientAuthMethod) -> ClientCredentials:
    if method is ClientAuthMethod.PRIVATE_KEY_JWT:
        return ClientCredentials("app-jwt", method, private_jwk=KEYS.private_jwk)
    if method is ClientAuthMethod.NONE:
        return ClientCredentials("app-public")
    return ClientCredentials("app-secret", method, client_secret=CLIENT_SECRET)


@dataclass
class Connection:
    """A source connected in-process to the sandbox EHR: its catalog, keychain and transport."""

    name: str
    ehr: EhrApp
    catalog: SourceCatalog
    secrets: MemorySecrets
    transport: httpx2.AsyncBaseTransport

    def client(self, **kwargs: Any) -> FhirClient:
        return open_smart_client(
            self.name, catalog=self.catalog, secrets=self.secrets, transport=self.transport, **kwargs
        )


async def connect_in_process(
    ehr: EhrApp, home: Path, method: ClientAuthMethod = ClientAuthMethod.NONE, name: str = "practice"
) -> Connection:
    catalog = SourceCatalog(home / "sources.sqlite3")
    secrets = MemorySecrets()
    secrets.set(private_key_name(KEYS.kid), KEYS.private_jwk)
    transport = in_process(ehr)
    creds = credentials(method)
    key_id = KEYS.kid if method is ClientAuthMethod.PRIVATE_KEY_JWT else None
    url = await begin_launch(
        name,
        ehr.fhir_base(ORIGIN),
        creds,
        catalog=catalog,
        secrets=secrets,
        redirect_uri=REDIRECT_URI,
        key_id=key_id,
        transport=transport,
    )
    redirect = await consent_by_form(url, transport)
    await complete_launch(name, redirect, creds, catalog=catalog, secrets=secrets, transport=transport)
    return Connection(name, ehr, catalog, secrets, transport)


@contextmanager
def ehr_in_process(tmp_path: Path, config: EhrConfig | None = None) -> Iterator[EhrApp]:
    ehr = create_ehr_app(config or ehr_config(), tmp_path / "ehr")
    try:
        yield ehr
    finally:
        ehr.store.close()


class FakeClock:
    """Epoch seconds that only move when told to (or when `sleep` is awaited)."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
