"""The overview page says when the scheduled sync is paused for a sign-in (and nothing when no watcher ran)."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from fhirgate.scheduled_sync import LOGIN_PAUSE
from fhirgate.watch_state import WatchState, home_watch_note, write_watch_state
from gateway.store import SqliteStore
from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions


def _overview(home: Path) -> str:
    store = SqliteStore.open(home / "store.sqlite3")
    sessions = WebSessions(home / "web.sqlite3")
    decisions = ApprovalDecisions(ApprovalStore(home / "approvals.sqlite3"), AuditLog(home / "audit.log"))
    settings = WebSettings(port=8799, sync_note=lambda: home_watch_note(home))
    app = create_web_app(settings, sessions=sessions, approvals=decisions, record=store)
    try:
        with TestClient(app, base_url="http://127.0.0.1:8799") as client:
            client.get(f"/login?token={sessions.new_login_link_token()}")
            return client.get("/overview").text
    finally:
        store.close()


def test_the_overview_says_the_scheduled_sync_waits_for_a_sign_in(tmp_path: Path) -> None:
    assert "Scheduled sync" not in _overview(tmp_path)
    write_watch_state(tmp_path, WatchState("login required", LOGIN_PAUSE, "2026-12-03T09:00:00+00:00", None))
    page = _overview(tmp_path)
    assert "Scheduled sync" in page and "sign in again" in page and "fhirgate login kaiser" in page
