"""The record pages' guards, in-process: the session cookie before any record text, note HTML through nh3,
record text autoescaped, Binary content served inline only for embeddable types (and framable only by our
own pages), and "Mark as seen" only with the form's CSRF token."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.store import SqliteStore
from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from tests.mcp_server.seeded_store import seed_store

HOSTILE_NOTE = '<p>Follow up in 3 months.</p><script>alert(1)</script><img src="https://evil.example/x" onerror="x()">'
PDF = b"%PDF-1.4\n% fhirgate test\n"


def _encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


NOTES = [
    {
        "resourceType": "DocumentReference",
        "id": "note-1",
        "status": "current",
        "type": {"text": "Progress note <b>bold</b>"},
        "date": "2026-10-01T09:00:00Z",
        "description": "Visit note",
        "content": [
            {"attachment": {"contentType": "text/html; charset=utf-8", "data": _encoded(HOSTILE_NOTE.encode())}},
            {"attachment": {"contentType": "application/pdf", "url": "Binary/pdf-1"}},
        ],
    },
    {"resourceType": "Binary", "id": "pdf-1", "contentType": "application/pdf", "data": _encoded(PDF)},
    {"resourceType": "Binary", "id": "html-1", "contentType": "text/html", "data": _encoded(HOSTILE_NOTE.encode())},
]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, WebSessions]]:
    home: Path = tmp_path_factory.mktemp("record-pages")
    store: SqliteStore = seed_store(home / "store.sqlite3")
    store.write_surface("visit-notes", NOTES, now=datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    sessions = WebSessions(home / "web.sqlite3")
    decisions = ApprovalDecisions(ApprovalStore(home / "approvals.sqlite3"), AuditLog(home / "audit.log"))
    app = create_web_app(WebSettings(port=8799), sessions=sessions, approvals=decisions, record=store)
    with TestClient(app, base_url="http://127.0.0.1:8799") as client:
        yield client, sessions
    store.close()


def _signed_in(web: tuple[TestClient, WebSessions]) -> TestClient:
    client, sessions = web
    answer = client.get(f"/login?token={sessions.new_login_link_token()}", follow_redirects=False)
    assert answer.headers["location"] == "/overview"
    return client


@pytest.mark.parametrize("path", ["/overview", "/labs", "/documents/note-1", "/binary/pdf-1", "/resource/Patient/x"])
def test_without_the_session_cookie_no_record_page_answers(web: tuple[TestClient, WebSessions], path: str) -> None:
    client, _ = web
    client.cookies.clear()
    answer = client.get(path)
    assert answer.status_code == 401
    assert "Sign in to see your record." in answer.text and "Follow up" not in answer.text


def test_note_html_is_sanitised_and_record_text_escaped(web: tuple[TestClient, WebSessions]) -> None:
    page = _signed_in(web).get("/documents/note-1").text
    assert "<p>Follow up in 3 months.</p>" in page
    assert "<script>alert" not in page and "onerror" not in page and "evil.example" not in page
    assert "Progress note &lt;b&gt;bold&lt;/b&gt;" in page
    assert '<object class="pdf" data="/binary/pdf-1" type="application/pdf"' in page


def test_a_pdf_is_served_inline_and_framable_only_by_our_pages(web: tuple[TestClient, WebSessions]) -> None:
    client = _signed_in(web)
    pdf = client.get("/binary/pdf-1")
    assert pdf.content == PDF and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in pdf.headers["content-security-policy"]
    assert "sandbox" in pdf.headers["content-security-policy"]
    page = client.get("/documents/note-1")
    assert page.headers["x-frame-options"] == "DENY" and "object-src 'self'" in page.headers["content-security-policy"]


def test_record_html_is_never_served_as_a_page(web: tuple[TestClient, WebSessions]) -> None:
    answer = _signed_in(web).get("/binary/html-1")
    assert answer.status_code == 404 and "<script>alert" not in answer.text


def test_the_stored_json_is_shown_escaped(web: tuple[TestClient, WebSessions]) -> None:
    answer = _signed_in(web).get("/resource/DocumentReference/note-1")
    assert answer.status_code == 200
    assert "Progress note &lt;b&gt;bold&lt;/b&gt;" in answer.text and "&#34;resourceType&#34;" in answer.text


def test_mark_as_seen_needs_the_csrf_token(web: tuple[TestClient, WebSessions]) -> None:
    client = _signed_in(web)
    refused = client.post("/overview/seen", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "not marked the record as seen yet" in client.get("/overview").text


def test_labs_group_results_by_analyte_with_range_and_flag(web: tuple[TestClient, WebSessions]) -> None:
    page = _signed_in(web).get("/labs").text
    assert page.count('<figure class="chart"><svg role="img"') == page.count('<section class="analyte"') > 0
    assert "<style" not in page and 'style="' not in page  # the CSP allows no inline style


def test_mark_as_seen_refuses_a_body_larger_than_its_form(web: tuple[TestClient, WebSessions]) -> None:
    client = _signed_in(web)
    answer = client.post("/overview/seen", content=b"csrf=" + b"a" * 4096, follow_redirects=False)
    assert answer.status_code == 413
