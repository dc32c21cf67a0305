"""`SmartPracticeConnector`: the composition root's `mcp_server.approvals.practice_connect.PracticeConnector`.

Lets the MCP tools `connect_practice` / `complete_oauth` run the same SMART launch as
`fhirgate connect` in paste mode: the client id, secret and redirect URI come from the healow
variables (or a secret or key already in the keychain); the user pastes the redirect URL back.
A provider-host address is moved to the patient host, and the launch counts in the home's
per-minute window like every other call to the practice.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx2

import fhir_client  # its SMART launch (authlib) is read as fhir_client.<name>, loaded on first use
from fhir_client import AuthorizationError, FhirClientError, SourceSecrets
from fhirgate.redirect_capture import CALLBACK_PATH
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.smart_connect import (
    DEFAULT_REDIRECT_PORT,
    ConnectError,
    ConnectOptions,
    catalog_for,
    credentials_from,
    minute_window_for,
    practice_clients,
)
from gateway.writes.decisions import ConnectStarter
from mcp_server.approvals.practice_connect import PendingConnection, PracticeConnector
from mcp_server.sources.connect_errors import begin_failure
from mcp_server.sources.practice_status import practice_status_probe
from mcp_server.sources.registry import RecordSource

__all__ = ["SmartPracticeConnector", "connection_starter", "practice_sources"]


def practice_sources(
    settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> dict[str, RecordSource]:
    """Every connected practice as an MCP source whose status shows its token state (for `fhirgate mcp`)."""
    catalog = catalog_for(settings)
    secrets = SecretStore.for_settings(settings)
    return {
        name: RecordSource(name, client, kind="practice", status=practice_status_probe(catalog, secrets, name))
        for name, client in practice_clients(settings, transport=transport).items()
    }


def connection_starter(connector: PracticeConnector) -> ConnectStarter:
    """What an approved `connect` does: start the SMART launch (discovery, PKCE) and hand back the sign-in URL."""

    async def start(name: str, fhir_base_url: str) -> dict[str, str]:
        try:
            pending = await connector.begin(name, fhir_base_url)
        except (FhirClientError, ValueError) as error:
            raise ConnectError(begin_failure(error, name, fhir_base_url)) from error
        return {"authorize_url": pending.authorize_url, "state": pending.state}

    return start


class SmartPracticeConnector:
    def __init__(
        self, settings: Settings, environ: Mapping[str, str], *, transport: httpx2.AsyncBaseTransport | None = None
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._transport = transport

    async def begin(self, name: str, fhir_base_url: str) -> PendingConnection:
        options = ConnectOptions(name, fhir_base_url).with_environment(self._environ)
        secrets = SecretStore.for_settings(self._settings)

        def no_prompt() -> str:
            raise ConnectError("no client secret: set HEALOW_CLIENT_SECRET or run `fhirgate connect` once")

        credentials, key_id = credentials_from(options, self._settings, secrets, self._environ, no_prompt)
        redirect = options.redirect_uri or f"http://127.0.0.1:{DEFAULT_REDIRECT_PORT}{CALLBACK_PATH}"
        catalog = catalog_for(self._settings)
        base_url = options.patient_base().url
        url = await fhir_client.begin_launch(
            name,
            base_url,
            credentials,
            catalog=catalog,
            secrets=secrets,
            redirect_uri=redirect,
            key_id=key_id,
            transport=self._transport,
            pacer=minute_window_for(self._settings, base_url),
        )
        record = catalog.get(name)
        if record is None or record.launch_state is None:  # begin_launch just wrote it
            raise ConnectError(f"the launch of {name!r} was not recorded")
        return PendingConnection(url, record.launch_state)

    async def complete(self, code_or_redirect_url: str, state: str) -> RecordSource:
        catalog = catalog_for(self._settings)
        secrets = SecretStore.for_settings(self._settings)
        record = next((r for r in catalog.all() if r.state == "pending" and r.launch_state == state), None)
        if record is None:
            raise AuthorizationError("no pending connection has this state; start again with connect_practice")
        from fhir_client.smart_session import credentials_for

        credentials = credentials_for(record, SourceSecrets(secrets, record.name))
        pacer = minute_window_for(self._settings, record.base_url, record.rate_limit_per_minute)
        await fhir_client.complete_launch(
            record.name,
            code_or_redirect_url,
            credentials,
            catalog=catalog,
            secrets=secrets,
            transport=self._transport,
            pacer=pacer,
        )
        client = fhir_client.open_smart_client(
            record.name, catalog=catalog, secrets=secrets, transport=self._transport, rate_limiter=pacer
        )
        status = practice_status_probe(catalog, secrets, record.name)
        return RecordSource(record.name, client, kind="practice", status=status)
