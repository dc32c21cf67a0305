"""Sync now, in-process against the sandbox portal on loopback: the CSRF-guarded POST starts the home's
sync in the serving process, the progress page refreshes itself while it runs and shows each surface done
with its counts, then stops refreshing; a held home sync lock or a missing session refuses at once, saying
why and what to run. The board's states, one by one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from fhirgate.serving import serve_in_thread
from fhirgate.sync_lock import home_sync_lock
from fhirgate.sync_now_launcher import BUSY, SIGN_IN, HomeSyncLauncher
from gateway.store import SqliteStore
from gateway.sync.progress import SurfaceReport
from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.web.sync_now import SyncBoard, SyncEnd
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from tests.sync.portal_harness import Portal, make_portal

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(scope="module")
def portal() -> Iterator[Portal]:
    served = make_portal(seed=11)
    served.config.pdf_generating_calls = 0
    with serve_in_thread(served.app) as server:
        served.served_at = server.base_url
        yield served


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sync-now")


def _client(home: Path, portal: Portal, *, signed_in: bool) -> Iterator[TestClient]:
    store = SqliteStore.open(home / "store.sqlite3")
    launcher = HomeSyncLauncher(
        home=home, store_path=home / "store.sqlite3", open_portal=portal.client, signed_in=lambda: signed_in
    )
    sessions = WebSessions(home / "web.sqlite3")
    decisions = ApprovalDecisions(ApprovalStore(home / "approvals.sqlite3"), AuditLog(home / "audit.log"))
    app = create_web_app(
        WebSettings(port=8799), sessions=sessions, approvals=decisions, record=store, sync_now=launcher
    )
    with TestClient(app, base_url="http://127.0.0.1:8799") as client:
        client.get(f"/login?token={sessions.new_login_link_token()}")
        yield client
    store.close()


@pytest.fixture(scope="module")
def web(home: Path, portal: Portal) -> Iterator[TestClient]:
    yield from _client(home, portal, signed_in=True)


def _csrf(client: TestClient) -> str:
    match = CSRF.search(client.get("/overview").text)
    assert match is not None
    return match.group(1)


def _until_done(client: TestClient, timeout: float = 90.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get("/sync").text
        if 'http-equiv="refresh"' not in page:
            return page
        time.sleep(0.2)
    raise AssertionError("the sync did not end")


def test_the_post_needs_the_forms_csrf_token(web: TestClient) -> None:
    assert web.post("/sync", data={"csrf": "forged"}).status_code == 403
    assert "No sync has been started from this page yet." in web.get("/sync").text


def test_sync_now_runs_every_surface_and_the_page_refreshes_until_it_is_done(web: TestClient) -> None:
    answer = web.post("/sync", data={"csrf": _csrf(web)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/sync"
    running = web.get("/sync").text
    assert '<meta http-equiv="refresh" content="2">' in running or "Sync done" in running
    done = _until_done(web)
    assert "Sync done:" in done and "every part of the portal synced" in done
    assert "Profile" in done and re.search(r"Done: \d+ new, \d+ updated", done)
    assert "Waiting" not in done and "Running" not in done and "Failed" not in done
    assert "Sync again" in done
    assert "Up to date" in web.get("/overview").text


def test_a_held_home_sync_lock_refuses_at_once_and_says_so(web: TestClient, home: Path) -> None:
    with home_sync_lock(home):  # as the scheduled sync or `fhirgate sync` would hold it
        answer = web.post("/sync", data={"csrf": _csrf(web)})
    assert answer.status_code == 409
    assert "Not started:" in answer.text and BUSY.split("(")[0].strip() in answer.text
    assert 'http-equiv="refresh"' not in answer.text


def test_a_home_without_a_kaiser_session_is_told_the_command(portal: Portal, tmp_path: Path) -> None:
    for client in _client(tmp_path, portal, signed_in=False):
        answer = client.post("/sync", data={"csrf": _csrf(client)})
        assert answer.status_code == 409
        assert "fhirgate login kaiser" in answer.text and SIGN_IN.split(":")[0] in answer.text


def test_the_board_reports_waiting_running_done_and_failed() -> None:
    board = SyncBoard()
    assert board.begin(["profile", "test-results", "messages"])
    assert not board.begin(["profile"])  # one run at a time
    board.surface_started("profile", "Profile")
    board.surface_finished(SurfaceReport("profile", new=1))
    board.surface_started("test-results", "Test results")
    board.surface_total("test-results", 12)
    board.surface_advanced("test-results", 3)
    lines = {line.surface: line.text for line in board.view().lines}
    assert lines == {"profile": "Done: 1 new, 0 updated", "test-results": "Running: 3 of 12", "messages": "Waiting"}
    board.surface_finished(SurfaceReport("test-results", error="Kaiser answered 503\nwith a page of HTML"))
    board.end(SyncEnd(ok=False, note="1 part(s) failed"))
    view = board.view()
    lines = {line.surface: line.text for line in view.lines}
    assert lines["test-results"] == "Failed: Kaiser answered 503"
    assert lines["messages"] == "Failed: not synced: the sync stopped first"
    assert not view.running and view.counts == (1, 0)
