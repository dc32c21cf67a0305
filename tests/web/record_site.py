"""The sandbox patient synced into a real store (every portal surface, as `fhirgate sync` does) and the
web app serving that store on a free loopback port, for the record pages' browser tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fhirgate.serving import free_port, serve_in_thread
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.web.sync_now import SyncLauncher
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from tests.sync.portal_harness import Portal, make_portal

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"


@dataclass(frozen=True)
class RecordSite:
    base_url: str
    sessions: WebSessions
    store: SqliteStore

    def login_url(self) -> str:
        return f"{self.base_url}/login?token={self.sessions.new_login_link_token()}"


async def sync_every_surface(portal: Portal, store: SqliteStore) -> None:
    """A first sync of every surface and the one after it (which fetches the PDFs still generating)."""
    for _ in range(2):
        async with await portal.client() as client:
            report = await SyncEngine(client, store, clock=portal.clock).run(None)
        assert report.ok, report.surfaces


def synced_store(home: Path, *, size: str = "small") -> SqliteStore:
    store = SqliteStore.open(home / "store.sqlite3")
    asyncio.run(sync_every_surface(make_portal(size=size), store))
    return store


@contextmanager
def record_site(home: Path, store: SqliteStore, *, sync_now: SyncLauncher | None = None) -> Iterator[RecordSite]:
    sessions = WebSessions(home / "web.sqlite3")
    decisions = ApprovalDecisions(ApprovalStore(home / "approvals.sqlite3"), AuditLog(home / "audit.log"))
    port = free_port()
    app = create_web_app(
        WebSettings(port=port), sessions=sessions, approvals=decisions, record=store, sync_now=sync_now
    )
    with serve_in_thread(app, port=port) as running:
        yield RecordSite(running.base_url, sessions, store)
