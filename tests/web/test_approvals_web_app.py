"""The approvals page over HTTP: sign-in by one-time link, security headers, the Host check, and every
forged or repeated decision committing nothing at the sandbox portal."""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import httpx2

from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.web.security import SECURITY_HEADERS
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from tests.web.conftest import HOST, MESSAGE, WebHome


async def test_a_login_link_works_once_and_sets_a_strict_http_only_cookie(web_home: WebHome) -> None:
    token = web_home.sessions.new_login_link_token()
    first = await web_home.http.get(f"/login?token={token}")
    assert first.status_code == 303 and first.headers["location"] == "/approvals"
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    web_home.http.cookies.clear()
    again = await web_home.http.get(f"/login?token={token}")
    assert again.status_code == 403 and "fhirgate_session" not in again.cookies


async def test_every_answer_carries_the_security_headers(web_home: WebHome) -> None:
    for path in ("/approvals", "/login?token=nope", "/static/app.css"):
        answer = await web_home.http.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (path, name)
    assert "script-src" not in SECURITY_HEADERS["Content-Security-Policy"]  # default-src 'none' forbids scripts


async def test_a_foreign_host_is_refused(web_home: WebHome) -> None:
    await web_home.sign_in()
    for host in ("evil.example", "127.0.0.1:9999", "localhost.evil.example:8799"):
        answer = await web_home.http.get("/approvals", headers={"Host": host})
        assert answer.status_code == 421, host


async def test_the_page_shows_the_whole_message_escaped(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    await web_home.sign_in()
    page = (await web_home.http.get(f"/approvals/{approval.id}")).text
    assert "At night?\nThanks." in page and "ALEX SAMPLE MD" in page and "Medication" in page
    listing = (await web_home.http.get("/approvals")).text
    assert f"/approvals/{approval.id}" in listing


async def test_forged_posts_commit_nothing(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    session = await web_home.sign_in()
    csrf = await web_home.csrf(approval.id)
    url = f"/approvals/{approval.id}"
    no_csrf = await web_home.http.post(url, data={"action": "approve"})
    wrong_csrf = await web_home.http.post(url, data={"action": "approve", "csrf": "0" * 64})
    wrong_host = await web_home.http.post(
        url, data={"action": "approve", "csrf": csrf}, headers={"Host": "evil.example"}
    )
    form = {"action": "approve", "csrf": csrf}
    other_port = await web_home.http.post(url, data=form, headers={"Origin": "http://127.0.0.1:9999"})
    opaque = await web_home.http.post(url, data=form, headers={"Origin": "null"})
    assert other_port.status_code == opaque.status_code == 403  # same site, other origin: refused
    web_home.http.cookies.clear()
    no_cookie = await web_home.http.post(url, data={"action": "approve", "csrf": csrf})
    web_home.http.cookies.set("fhirgate_session", session + "x")
    other_session = await web_home.http.post(url, data={"action": "approve", "csrf": csrf})
    assert [no_csrf.status_code, wrong_csrf.status_code, wrong_host.status_code] == [403, 403, 421]
    assert [no_cookie.status_code, other_session.status_code] == [403, 403]
    assert web_home.portal.config.writes.sent_messages == []
    assert web_home.harness.decisions.status(approval.id).status == "pending"


async def test_approve_commits_once_and_a_replayed_post_commits_nothing(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    await web_home.sign_in()
    form = {"action": "approve", "csrf": await web_home.csrf(approval.id)}
    approved = await web_home.http.post(f"/approvals/{approval.id}", data=form)
    assert approved.status_code == 303
    assert len(web_home.portal.config.writes.sent_messages) == 1
    replay = await web_home.http.post(f"/approvals/{approval.id}", data=form)
    reject_after = await web_home.http.post(f"/approvals/{approval.id}", data=form | {"action": "reject"})
    assert replay.status_code == reject_after.status_code == 303
    assert len(web_home.portal.config.writes.sent_messages) == 1
    page = (await web_home.http.get(f"/approvals/{approval.id}")).text
    assert "committed" in page and "Approve</button>" not in page
    phases = web_home.harness.phases()
    assert phases == ["approved", "commit", "refused", "refused"], phases
    assert all(MESSAGE["text"] not in str(event) for event in web_home.harness.audit.events())
    assert web_home.harness.decisions.store.get(approval.id).request == {}  # type: ignore[union-attr]


async def test_reject_sends_nothing(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    await web_home.sign_in()
    form = {"action": "reject", "csrf": await web_home.csrf(approval.id)}
    await web_home.http.post(f"/approvals/{approval.id}", data=form)
    await web_home.http.post(f"/approvals/{approval.id}", data=form | {"action": "approve"})
    assert web_home.portal.config.writes.sent_messages == []
    assert web_home.harness.phases() == ["rejected", "refused"]


async def test_an_expired_approval_commits_nothing(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    await web_home.sign_in()
    csrf = await web_home.csrf(approval.id)
    store = web_home.harness.decisions.store
    store._clock = lambda: approval.expires_at + timedelta(seconds=1)
    answer = await web_home.http.post(f"/approvals/{approval.id}", data={"action": "approve", "csrf": csrf})
    assert answer.status_code == 303
    assert web_home.portal.config.writes.sent_messages == []
    assert web_home.harness.phases() == ["expired", "refused"]
    assert "expired" in (await web_home.http.get(f"/approvals/{approval.id}")).text


async def test_a_changed_preview_is_not_sent(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    await web_home.sign_in()
    csrf = await web_home.csrf(approval.id)
    # someone with access to the home rewrites what would be sent: the digest no longer matches
    with sqlite3.connect(web_home.harness.decisions.store.path) as conn:
        conn.execute(
            "UPDATE approvals SET request_json = ? WHERE id = ?",
            ('{"recipient": "ALEX SAMPLE MD", "subject": "Dose", "text": "Other", "topic": "Medication"}', approval.id),
        )
    await web_home.http.post(f"/approvals/{approval.id}", data={"action": "approve", "csrf": csrf})
    assert web_home.portal.config.writes.sent_messages == []
    assert web_home.harness.decisions.status(approval.id).status == "failed"


async def test_an_approved_connection_links_to_the_practice_sign_in_only_if_it_is_a_web_address(
    tmp_path: Path,
) -> None:
    started: list[str] = []

    async def start(name: str, base_url: str) -> dict[str, str]:
        started.append(name)
        target = "https://ehr.example/authorize?state=s1" if name == "dr-lee" else "javascript:alert(1)"
        return {"authorize_url": target, "state": "s1"}

    decisions = ApprovalDecisions(
        ApprovalStore(tmp_path / "approvals.sqlite3"), AuditLog(tmp_path / "audit.log"), connect=start
    )
    sessions = WebSessions(tmp_path / "web.sqlite3")
    app = create_web_app(WebSettings(port=8799), sessions=sessions, approvals=decisions)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url=f"http://{HOST}") as http:
        await http.get(f"/login?token={sessions.new_login_link_token()}")
        for name, shown in (("dr-lee", True), ("dr-evil", False)):
            request = {"name": name, "fhir_base_url": "https://ehr.example/fhir"}
            approval = decisions.store.submit("connect", request, request)
            page = (await http.get(f"/approvals/{approval.id}")).text
            assert "https://ehr.example/fhir" in page and started.count(name) == 0  # nothing contacted yet
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
            assert csrf is not None
            done = await http.post(
                f"/approvals/{approval.id}", data={"action": "approve", "csrf": csrf.group(1)}, follow_redirects=True
            )
            assert started.count(name) == 1
            assert ("Continue: sign in at the practice" in done.text) is shown
            assert "javascript:" not in done.text


async def test_an_oversized_form_is_refused_before_it_is_read_whole(web_home: WebHome) -> None:
    approval = await web_home.pending_message()
    await web_home.sign_in()
    csrf = await web_home.csrf(approval.id)
    url = f"/approvals/{approval.id}"
    padded = await web_home.http.post(url, data={"action": "approve", "csrf": csrf, "pad": "x" * 5000})
    many = await web_home.http.post(url, data={"action": "approve", "csrf": csrf} | {f"f{n}": "1" for n in range(20)})
    assert padded.status_code == many.status_code == 413
    assert web_home.portal.config.writes.sent_messages == []
