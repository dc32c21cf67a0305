"""`fhirgate status`: one table of sources (Kaiser and every practice) with each one's state, last sync
or token expiry, record counts, store size and what to do next; then Kaiser's surfaces one by one.

It only reads: the store is opened read-only, so `status` never creates, migrates or locks anything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from fhirgate.cli_app import app, open_store, settings_from_env
from fhirgate.home_reach import SANDBOX_NOT_RUNNING, HomeReach
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.watch_state import read_watch_state, watch_line
from gateway.kaiser.session import SESSION_SECRET_NAME

if TYPE_CHECKING:  # importing gateway.store loads every translator; `fhirgate --help` should not wait for that
    from gateway.store.records import SurfaceState

DEMO_START = "start the sandbox: `fhirgate mcp --demo` (or `fhirgate demo`)"
STALE_AFTER = timedelta(days=1)
"""A Kaiser record older than this is worth a `fhirgate sync`."""


@dataclass(frozen=True)
class SourceStatus:
    """One row of the sources table."""

    name: str
    state: str
    freshness: str
    records: str
    size: str
    next_step: str


@app.command()
def status() -> None:
    """Each source's state, last sync or token expiry, record counts and store size, and what to do next."""
    settings = settings_from_env()
    secrets = SecretStore.for_settings(settings)
    console = Console()
    console.print(f"home:    {settings.home}")
    console.print(f"secrets: {secrets.description}")
    reach = HomeReach.for_settings(settings)
    sandbox_down = reach.general_refusal() == SANDBOX_NOT_RUNNING
    if reach.is_demo:
        console.print(f"demo:    {SANDBOX_NOT_RUNNING if sandbox_down else 'the sandboxes are running'}", markup=False)
    watched = read_watch_state(settings.home)
    if watched is not None:
        console.print(f"watch:   {watch_line(watched)}", markup=False, highlight=False)
    surfaces = surface_states(settings.store_path)
    table = Table(title="sources")
    for column in ("source", "state", "last sync / token", "records", "store size", "next step"):
        table.add_column(column)
    now = datetime.now(UTC)
    signed_in = secrets.get(SESSION_SECRET_NAME) is not None
    rows = [kaiser_status(settings, signed_in, surfaces, now, sandbox_down=sandbox_down)]
    rows += practice_statuses(settings, now.timestamp(), sandbox_down=sandbox_down)
    for row in rows:
        table.add_row(row.name, row.state, row.freshness, row.records, row.size, row.next_step)
    console.print(table)
    if surfaces:
        console.print(surface_table(settings.store_path, surfaces))


def kaiser_status(
    settings: Settings, signed_in: bool, surfaces: Sequence[SurfaceState], now: datetime, *, sandbox_down: bool = False
) -> SourceStatus:
    store = settings.store_path
    counts = resource_counts(store)
    top = ", ".join(f"{count} {kind}" for kind, count in counts[:3]) + (", ..." if len(counts) > 3 else "")
    records = f"{sum(count for _, count in counts)} ({top})" if counts else "0"
    size = _megabytes(store) if store.exists() else "-"
    synced = [s.last_success for s in surfaces if s.last_success is not None]
    last = max(synced) if synced else None
    freshness = f"synced {_ago(now - last)} ago" if last else "never synced"
    failing = [s.surface for s in surfaces if s.failing]
    if sandbox_down:
        state, step = "sandbox not running", DEMO_START
    elif not signed_in:
        state, step = "signed out", "run `fhirgate login kaiser`"
    elif last is None:
        state, step = "signed in", "run `fhirgate sync`"
    elif any("login" in (s.last_error or "").lower() for s in surfaces if s.failing):
        state, step = "session expired", "run `fhirgate login kaiser`, then `fhirgate sync`"
    elif failing:
        state, step = f"{len(failing)} surface(s) failing", "run `fhirgate sync`; if it fails again, `fhirgate doctor`"
    elif now - last > STALE_AFTER or last > now:  # synced "in the future": the clock went back since
        state, step = "synced (stale)", "run `fhirgate sync`"
    else:
        state, step = "synced", "nothing to do"
    return SourceStatus("kaiser", state, freshness, records, size, step)


def practice_statuses(settings: Settings, now: float, *, sandbox_down: bool = False) -> list[SourceStatus]:
    from fhirgate.smart_connect import catalog_for

    if not (settings.home / "sources.sqlite3").exists():
        return []
    rows = []
    for record in catalog_for(settings).all():
        if sandbox_down:
            step = DEMO_START
        elif record.state == "pending":
            step = "finish with `fhirgate connect --complete REDIRECT_URL`"
        elif record.state == "reconnect":
            step = f"run `fhirgate connect {record.name} {record.base_url}`"
        else:
            step = "nothing to do (tokens refresh by themselves)"
        expires = record.access_expires_at
        if expires is None:
            freshness = "no token yet"
        elif expires <= now:
            freshness = "access token expired (refreshed on next call)"
        else:
            freshness = f"access token valid {_ago(timedelta(seconds=expires - now))}"
        state = "sandbox not running" if sandbox_down else record.state
        rows.append(SourceStatus(record.name, state, freshness, "read live (not stored)", "-", step))
    return rows


def surface_states(store: Path) -> list[SurfaceState]:
    if not store.exists():
        return []
    opened = open_store(store)
    try:
        return opened.surface_states()
    finally:
        opened.close()


def resource_counts(store: Path) -> list[tuple[str, int]]:
    """(resource type, count), largest first; Provenance (sync bookkeeping) left out."""
    if not store.exists():
        return []
    with sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT resource_type, COUNT(*) FROM resources WHERE resource_type != 'Provenance'"
            " GROUP BY resource_type ORDER BY COUNT(*) DESC, resource_type"
        ).fetchall()
    return [(str(kind), int(count)) for kind, count in rows]


def surface_table(store: Path, surfaces: Sequence[SurfaceState]) -> Table:
    table = Table(title=f"kaiser surfaces ({store})")
    for column in ("surface", "last success", "last attempt", "last error", "problems"):
        table.add_column(column)
    for state in surfaces:
        table.add_row(
            state.surface,
            _when(state.last_success),
            _when(state.last_attempt),
            state.last_error or "",
            str(len(state.problems)),
        )
    return table


def _megabytes(store: Path) -> str:
    total = sum(path.stat().st_size for path in (store, Path(f"{store}-wal")) if path.exists())
    return f"{total / 1_000_000:.1f} MB"


def _ago(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"
