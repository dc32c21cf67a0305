"""Connecting practices (SMART standalone patient launch) for the CLI, the demo and `fhirgate mcp`.

Composition only: settings and the keychain in, `fhir_client`'s launch, catalog and clients out.
The healow variables `HEALOW_CLIENT_ID`, `HEALOW_CLIENT_SECRET` and `HEALOW_REDIRECT_URI` fill in
what the command line leaves out, so users of the healow MCP server keep their registration.
A provider-host address is moved to the patient host first, and every call to a practice (the
token and authorize calls included) counts in the home's shared per-minute window.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import httpx2

import fhir_client  # its SMART launch (authlib) is read as fhir_client.<name>, loaded on first use
from fhir_client import (
    FhirClient,
    MinuteWindow,
    PatientBase,
    SourceCatalog,
    SourceRecord,
    SourceSecrets,
    WhoAmI,
    patient_base_url,
    patient_hosts_from,
)
from fhirgate.redirect_capture import CALLBACK_PATH, capture_redirect
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings

if TYPE_CHECKING:
    from fhir_client import ClientCredentials

__all__ = [
    "DEFAULT_REDIRECT_PORT",
    "AuthChoice",
    "ConnectOptions",
    "Connected",
    "catalog_for",
    "complete_pasted",
    "connect_source",
    "disconnect",
    "minute_window_for",
    "practice_client",
    "practice_clients",
]

logger = logging.getLogger(__name__)

AuthChoice = Literal["secret", "private-key-jwt", "public"]
DEFAULT_REDIRECT_PORT = 8977
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
OpenUrl = Callable[[str], Awaitable[None]]


class ConnectError(ValueError):
    """A connect step the user must fix (one line, no traceback)."""


@dataclass(frozen=True)
class ConnectOptions:
    name: str
    base_url: str
    client_id: str | None = None
    auth: AuthChoice | None = None
    secret_method: Literal["basic", "post"] = "basic"
    redirect_uri: str | None = None
    redirect_port: int | None = None
    timeout: float = 300.0
    scopes: tuple[str, ...] | None = None
    """Scopes to ask for instead of those chosen from the server's list (`--scopes`)."""
    practice_code: str | None = None
    accept: str | None = None
    patient_hosts: Mapping[str, str] = field(default_factory=lambda: patient_hosts_from({}))

    def with_environment(self, environ: Mapping[str, str]) -> ConnectOptions:
        """Fill unset options from the healow variables (and `FHIRGATE_PROVIDER_HOSTS`)."""
        return replace(
            self,
            client_id=self.client_id or environ.get("HEALOW_CLIENT_ID") or None,
            redirect_uri=self.redirect_uri or environ.get("HEALOW_REDIRECT_URI") or None,
            auth=self.auth or ("secret" if environ.get("HEALOW_CLIENT_SECRET") else "public"),
            patient_hosts=patient_hosts_from(environ),
        )

    def patient_base(self) -> PatientBase:
        """The base URL to connect to: a provider-host address moved to the patient host."""
        return patient_base_url(self.base_url, self.patient_hosts)


@dataclass(frozen=True)
class Connected:
    record: SourceRecord
    who: WhoAmI


def catalog_for(settings: Settings) -> SourceCatalog:
    return SourceCatalog(settings.home / "sources.sqlite3")


def minute_window_for(settings: Settings, base_url: str, limit: int = 250) -> MinuteWindow:
    """The per-minute call count of `base_url`, shared by every process of this home."""
    return MinuteWindow(settings.home / "rate_limits.sqlite3", base_url.rstrip("/"), limit)


def is_loopback(redirect_uri: str) -> bool:
    parts = urlsplit(redirect_uri)
    return parts.scheme == "http" and parts.hostname in _LOOPBACK


def credentials_from(
    options: ConnectOptions,
    settings: Settings,
    secrets: SecretStore,
    environ: Mapping[str, str],
    prompt_secret: Callable[[], str],
) -> tuple[ClientCredentials, str | None]:
    from fhir_client.client_auth import ClientAuthMethod, ClientCredentials

    if not options.client_id:
        raise ConnectError("a client id is needed: pass --client-id or set HEALOW_CLIENT_ID")
    if options.auth == "public":
        return ClientCredentials(options.client_id), None
    if options.auth == "private-key-jwt":
        from fhirgate.app_keys import newest_key_id  # joserfc: loaded when a key is used

        key_id = newest_key_id(settings)
        jwk = SourceSecrets(secrets, options.name).private_jwk(key_id)
        if key_id is None or jwk is None:
            raise ConnectError("no private key: run `fhirgate keys create` and register its JWKS with the practice")
        return ClientCredentials(options.client_id, ClientAuthMethod.PRIVATE_KEY_JWT, private_jwk=jwk), key_id
    secret = (
        environ.get("HEALOW_CLIENT_SECRET") or SourceSecrets(secrets, options.name).client_secret() or prompt_secret()
    )
    method = (
        ClientAuthMethod.CLIENT_SECRET_POST if options.secret_method == "post" else ClientAuthMethod.CLIENT_SECRET_BASIC
    )
    return ClientCredentials(options.client_id, method, client_secret=secret), None


async def connect_source(
    settings: Settings,
    options: ConnectOptions,
    credentials: ClientCredentials,
    key_id: str | None,
    *,
    open_url: OpenUrl,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> Connected | str:
    """Run the launch. With a loopback redirect, returns the connection; otherwise the authorize
    URL, and the user finishes with `fhirgate connect --complete URL`."""
    secrets = SecretStore.for_settings(settings)
    catalog = catalog_for(settings)
    base_url = options.patient_base().url
    pacer = minute_window_for(settings, base_url)

    async def begin(redirect_uri: str) -> str:
        return await fhir_client.begin_launch(
            options.name,
            base_url,
            credentials,
            catalog=catalog,
            secrets=secrets,
            redirect_uri=redirect_uri,
            key_id=key_id,
            scopes=options.scopes,
            transport=transport,
            practice_code=options.practice_code,
            accept=options.accept,
            pacer=pacer,
        )

    redirect = options.redirect_uri
    if redirect is not None and not is_loopback(redirect):
        return await begin(redirect)
    port = options.redirect_port if options.redirect_port is not None else DEFAULT_REDIRECT_PORT
    path = CALLBACK_PATH
    if redirect is not None:
        parts = urlsplit(redirect)
        port, path = parts.port or 80, parts.path or CALLBACK_PATH
    with capture_redirect(port, path) as capture:
        url = await begin(capture.redirect_uri)
        await open_url(url)
        try:
            answer = await capture.wait(options.timeout)
        except TimeoutError:
            raise ConnectError(f"no answer from the practice's sign-in page within {options.timeout:.0f} s") from None
    record, _ = await fhir_client.complete_launch(
        options.name, answer, credentials, catalog=catalog, secrets=secrets, transport=transport, pacer=pacer
    )
    return Connected(record, await _whoami(settings, options.name, transport))


async def complete_pasted(
    settings: Settings, name: str | None, url_or_code: str, *, transport: httpx2.AsyncBaseTransport | None = None
) -> Connected:
    """Finish a pending launch from the pasted redirect URL (or bare code)."""
    catalog = catalog_for(settings)
    secrets = SecretStore.for_settings(settings)
    pending = [r for r in catalog.all() if r.state == "pending" and (name is None or r.name == name)]
    if len(pending) != 1:
        raise ConnectError("no launch is pending" if not pending else "several launches are pending: name the source")
    record = pending[0]
    from fhir_client.smart_session import credentials_for

    credentials = credentials_for(record, SourceSecrets(secrets, record.name))
    pacer = minute_window_for(settings, record.base_url, record.rate_limit_per_minute)
    await fhir_client.complete_launch(
        record.name, url_or_code, credentials, catalog=catalog, secrets=secrets, transport=transport, pacer=pacer
    )
    return Connected(catalog.get(record.name) or record, await _whoami(settings, record.name, transport))


async def _whoami(settings: Settings, name: str, transport: httpx2.AsyncBaseTransport | None) -> WhoAmI:
    async with _open(settings, name, transport) as client:
        return await client.whoami()


def _open(settings: Settings, name: str, transport: httpx2.AsyncBaseTransport | None = None) -> FhirClient:
    catalog = catalog_for(settings)
    record = catalog.get(name)
    pacer = minute_window_for(settings, record.base_url, record.rate_limit_per_minute) if record else None
    return fhir_client.open_smart_client(
        name, catalog=catalog, secrets=SecretStore.for_settings(settings), transport=transport, rate_limiter=pacer
    )


def practice_client(settings: Settings, name: str, *, transport: httpx2.AsyncBaseTransport | None = None) -> FhirClient:
    """A `FhirClient` for the connected practice ``name`` (for the web app's pages, one read at a time)."""
    return _open(settings, name, transport)


def practice_clients(
    settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> dict[str, FhirClient]:
    """A `FhirClient` for every connected practice (for `fhirgate mcp`), its HTTP through ``transport``."""
    path = settings.home / "sources.sqlite3"
    if not path.exists():
        return {}
    return {
        record.name: _open(settings, record.name, transport)
        for record in catalog_for(settings).all()
        if record.state in ("connected", "reconnect")
    }


async def disconnect(settings: Settings, name: str, *, transport: httpx2.AsyncBaseTransport | None = None) -> bool:
    catalog = catalog_for(settings)
    if catalog.get(name) is None:
        raise ConnectError(f"no source named {name!r} (see `fhirgate sources`)")
    return await fhir_client.disconnect_source(
        name, catalog=catalog, secrets=SecretStore.for_settings(settings), transport=transport
    )
