"""The web app's ``PracticeReader`` for a home: its connected practices (the SMART catalog), read live
through ``fhir_client`` behind the home's guard (a demo home reaches only its sandboxes; ``--offline``,
nothing), each client opened for one read and closed after it. States come from the catalog and keychain
as `fhirgate mcp`'s ``practice_status`` reads them; errors become one line (fhir_client's messages are
already bounded and carry no token)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx2

from fhir_client import FhirClient, FhirClientError, FhirHTTPError, ReconnectRequired
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.smart_connect import catalog_for, practice_client
from gateway.web.practice_reading import LIMIT_PER_TYPE, PracticeState, PracticeUnreadable
from mcp_server.sources.practice_status import practice_status

__all__ = ["HomePracticeReader"]

_COUNT = "100"


class HomePracticeReader:
    def __init__(
        self, settings: Settings, *, transport: Callable[[], httpx2.AsyncBaseTransport | None] = lambda: None
    ) -> None:
        """``transport``: a fresh transport for each client (the home's guard reads the home's manifest when
        made, and a demo adds its practice sandbox after the web app starts)."""
        self.settings = settings
        self.transport = transport

    def names(self) -> Sequence[str]:
        if not (self.settings.home / "sources.sqlite3").exists():
            return []
        return [r.name for r in catalog_for(self.settings).all() if r.state in ("connected", "reconnect")]

    def states(self) -> list[PracticeState]:
        catalog = catalog_for(self.settings)
        secrets = SecretStore.for_settings(self.settings)
        states = []
        for name in self.names():
            record = catalog.get(name)
            status = practice_status(catalog, secrets, name, now=time.time())
            needs_person = status.state != "connected"
            base_url = record.base_url if record is not None else "URL"
            action = f"Reconnect: run fhirgate connect {name} {base_url}" if needs_person else ""
            states.append(
                PracticeState(name, status.state, status.token_expires_at, bool(status.refresh_token_held), action)
            )
        return states

    async def search(self, name: str, resource_type: str, params: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        async with self._client(name) as client:
            try:
                pages = client.iterate_resources(resource_type, [*params, ("_count", _COUNT)], limit=LIMIT_PER_TYPE)
                async for resource in pages:
                    found.append(resource)
            except FhirClientError as error:
                raise PracticeUnreadable(_one_line(error, name)) from None
        return found

    async def read(self, name: str, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        async with self._client(name) as client:
            try:
                return await client.read(resource_type, resource_id)
            except FhirHTTPError as error:
                if error.status_code in (404, 410):
                    return None
                raise PracticeUnreadable(_one_line(error, name)) from None
            except FhirClientError as error:
                raise PracticeUnreadable(_one_line(error, name)) from None

    def _client(self, name: str) -> FhirClient:
        if name not in self.names():
            raise PracticeUnreadable("not connected (see `fhirgate sources`)")
        return practice_client(self.settings, name, transport=self.transport())


def _one_line(error: FhirClientError, name: str) -> str:
    if isinstance(error, ReconnectRequired):
        return f"{name} no longer accepts fhirgate's tokens: reconnect it (the Overview shows the command)"
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:200]
