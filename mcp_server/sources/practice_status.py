"""A practice's `SourceStatus` from its SMART catalog row and keychain entry: connection state,
access-token expiry and whether a refresh token is held (never the tokens themselves)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from fhir_client import SecretBackend, SourceCatalog, SourceSecrets
from mcp_server.sources.registry import SourceStatus, StatusProbe

__all__ = ["practice_status", "practice_status_probe"]

_STATES = {"connected": "connected", "reconnect": "reconnect needed", "pending": "sign-in not finished"}


def _moment(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else None


def practice_status(catalog: SourceCatalog, secrets: SecretBackend, name: str, *, now: float) -> SourceStatus:
    """What the catalog and keychain say about practice `name` at epoch second `now`."""
    record = catalog.get(name)
    if record is None:
        return SourceStatus("disconnected", notes=(f"call connect_practice to connect {name!r} again",))
    state = _STATES.get(record.state, record.state)
    access, refresh = SourceSecrets(secrets, name).tokens()
    notes: list[str] = []
    if record.state == "pending":
        notes.append("a sign-in was started: finish it with complete_oauth, or call connect_practice again")
    elif record.state == "reconnect" or access is None:
        state = "reconnect needed"
        notes.append(f"the practice no longer accepts fhirgate's tokens: call connect_practice for {name!r} again")
    elif refresh is None:
        until = f" at {_moment(record.access_expires_at):%H:%M}Z" if record.access_expires_at is not None else ""
        notes.append(
            f"no refresh token held (the practice gives none to public clients): the user must connect again{until}, "
            "within the hour of signing in"
        )
    elif record.access_expires_at is not None and record.access_expires_at <= now:
        notes.append("the access token has expired; the refresh token renews it on the next call")
    if record.scope:
        notes.append(f"granted scopes: {_granted(record.scope)}")
    if record.last_call_at is not None:
        notes.append(f"data is read live; last call {_moment(record.last_call_at):%Y-%m-%dT%H:%M}Z")
    return SourceStatus(
        state,
        token_expires_at=_moment(record.access_expires_at),
        refresh_token_held=refresh is not None,
        refresh_expires_at=_moment(record.refresh_expires_at),
        notes=tuple(notes),
    )


def _granted(scope: str) -> str:
    """The granted scopes, per-type v1 reads folded into one `patient/{A,B}.read` (eCW grants ~20)."""
    parts = scope.split()
    reads = [
        p.removeprefix("patient/").removesuffix(".read")
        for p in parts
        if p.startswith("patient/") and p.endswith(".read")
    ]
    others = [p for p in parts if not (p.startswith("patient/") and p.endswith(".read"))]
    folded = (
        [f"patient/{reads[0]}.read" if len(reads) == 1 else "patient/{" + ",".join(reads) + "}.read"] if reads else []
    )
    return " ".join(others + folded)[:600]


def practice_status_probe(
    catalog: SourceCatalog, secrets: SecretBackend, name: str, clock: Callable[[], float] = time.time
) -> StatusProbe:
    """A probe reading the catalog and keychain at each call (another process may have refreshed)."""

    async def probe() -> SourceStatus:
        return practice_status(catalog, secrets, name, now=clock())

    return probe
