"""The record sources the MCP tools can reach, by name (`kaiser`, SMART practices, ...).

Each `RecordSource` pairs a `FhirClient` with what only the composition root knows about it:
its kind, how the user signs in, and an optional status probe (last sync, token expiry).
Sources can be added while the server runs, which is how `connect_practice` plugs in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from fhir_client import FhirClient

__all__ = ["RecordSource", "SourceKind", "SourceRegistry", "SourceStatus", "StatusProbe", "UnknownSourceError"]

SourceKind = Literal["kaiser", "practice"]


@dataclass(frozen=True)
class SourceStatus:
    """What the source's owner reports about it, beyond what FHIR says."""

    state: str
    """One word or phrase: `ready`, `never synced`, `sync failing`, `connected`, `reconnect needed`, ..."""
    last_sync: datetime | None = None
    token_expires_at: datetime | None = None
    """When the access token expires (SMART practices)."""
    refresh_token_held: bool | None = None
    """Whether a refresh token is held (None: the source has no tokens, e.g. Kaiser)."""
    refresh_expires_at: datetime | None = None
    notes: tuple[str, ...] = ()


StatusProbe = Callable[[], Awaitable[SourceStatus]]


@dataclass(frozen=True)
class RecordSource:
    """One named FHIR source and how to talk about it to the user."""

    name: str
    client: FhirClient
    kind: SourceKind = "practice"
    status: StatusProbe | None = field(default=None, compare=False)

    @property
    def login_hint(self) -> str:
        """What the user runs when the source refuses the credentials."""
        if self.kind == "kaiser":
            return 'Kaiser session expired: ask the user to run "fhirgate login kaiser" (then "fhirgate sync")'
        return (
            f"practice {self.name!r}'s authorization expired or its refresh token was revoked: call "
            f'connect_practice again (or ask the user to run "fhirgate connect {self.name} URL")'
        )


class UnknownSourceError(LookupError):
    """No source has this name; `known` lists the names that exist."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        listing = ", ".join(known) if known else "none configured"
        super().__init__(f"unknown source {name!r}; known sources: {listing}")


class SourceRegistry:
    """Maps source names to `RecordSource`s. A bare `FhirClient` named `kaiser` is the Kaiser source."""

    def __init__(self, sources: Mapping[str, FhirClient | RecordSource]) -> None:
        self._sources: dict[str, RecordSource] = {}
        for name, source in sources.items():
            self.add(source if isinstance(source, RecordSource) else _plain(name, source))

    def add(self, source: RecordSource) -> None:
        """Add or replace a source (e.g. a practice that just completed OAuth)."""
        self._sources[source.name] = source

    def names(self) -> list[str]:
        """The source names, sorted."""
        return sorted(self._sources)

    def source(self, name: str) -> RecordSource:
        """The source called `name`; `UnknownSourceError` if there is none."""
        try:
            return self._sources[name]
        except KeyError:
            raise UnknownSourceError(name, self.names()) from None

    def get(self, name: str) -> FhirClient:
        """The client for `name`; `UnknownSourceError` if there is none."""
        return self.source(name).client

    def select(self, name: str | None) -> list[RecordSource]:
        """The named source, or every source (sorted by name) when `name` is empty."""
        if name:
            return [self.source(name)]
        return [self._sources[key] for key in self.names()]

    async def aclose(self) -> None:
        """Close every source's client."""
        for source in self._sources.values():
            await source.client.aclose()


def _plain(name: str, client: FhirClient) -> RecordSource:
    return RecordSource(name, client, kind="kaiser" if name == "kaiser" else "practice")
