"""The facade and the web app of one home, served on a loopback port, with the SMART server enabled over
the ``small`` sandbox patient: what a SMART app sees after `fhirgate serve`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fhirgate.serving import RunningServer, free_port, serve_in_thread
from fhirgate.smart_wiring import record_patient_id
from gateway.facade import FacadeSettings, create_facade_app
from gateway.smart_server import (
    AppRegistry,
    IdTokenSigner,
    SmartAuthorizationServer,
    SmartDatabase,
    TokenStore,
    new_signing_key,
    smart_extension,
)
from gateway.store import SqliteStore
from gateway.web import WebSessions, WebSettings, create_web_app, facade_and_web
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from tests.bulk.small_record import seed_small_record

STATIC_TOKEN = "static-facade-token-for-smart-tests-0123456789"
REDIRECT_URI = "http://127.0.0.1:9/smart-callback"


@dataclass
class SmartHome:
    server: RunningServer
    smart: SmartAuthorizationServer
    sessions: WebSessions
    store: SqliteStore
    patient_id: str
    smart_database: Path

    @property
    def fhir_base(self) -> str:
        return f"{self.server.base_url}/fhir"

    def login_link(self, next_page: str | None = None) -> str:
        link = f"{self.server.base_url}/login?token={self.sessions.new_login_link_token()}"
        return link if next_page is None else f"{link}&next={next_page}"


@contextmanager
def smart_home(tmp: Path, *, cors_origins: tuple[str, ...] = ()) -> Iterator[SmartHome]:
    store = seed_small_record(tmp / "store.sqlite3").store
    database = SmartDatabase(tmp / "smart.sqlite3")
    smart = SmartAuthorizationServer(
        AppRegistry(database),
        TokenStore(database),
        IdTokenSigner(new_signing_key()),
        patient_id=lambda: record_patient_id(store),
    )
    sessions = WebSessions(tmp / "web.sqlite3")
    decisions = ApprovalDecisions(ApprovalStore(tmp / "approvals.sqlite3"), AuditLog(tmp / "audit.log"))
    port = free_port()
    facade = create_facade_app(
        store,
        FacadeSettings(token=STATIC_TOKEN, port=port, extensions=(smart_extension(smart),), cors_origins=cors_origins),
    )
    web = create_web_app(WebSettings(port=port), sessions=sessions, approvals=decisions, smart=smart)
    patient_id = record_patient_id(store)
    assert patient_id is not None
    try:
        with serve_in_thread(facade_and_web(facade, web), port=port) as running:
            yield SmartHome(running, smart, sessions, store, patient_id, database.path)
    finally:
        store.close()


def consent_link(page_html: str) -> str | None:
    found = re.search(r'action="(/smart/consent/[^"]+)"', page_html)
    return found.group(1) if found else None
