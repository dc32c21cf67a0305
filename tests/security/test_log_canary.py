"""Planted secrets never surface: a Kaiser sign-in, a full sync, facade reads and a guarded write
(preview, then commit) run with every logger at DEBUG; then the logs, stdout, stderr, the audit log
and the SQLite files are searched for the password, the MFA code, the session cookies, the facade
token, the confirmation token and the message text.

The SMART side (OAuth code, tokens, client secret, private key) is checked the same way by
``tests/e2e/test_smart_launch.py`` through real Chromium; this test covers the Kaiser side.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.kaiser.portal_client import PortalClient
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.message import MessageDraft
from gateway.writes.operations import WriteOperations
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.sync.portal_harness import Portal

PASSWORD = "canary-kp-password-Vw3x"
FACADE_TOKEN = "canary-facade-token-Qm8rT2"
MESSAGE_TEXT = "canary-message-body-Jf7 I feel dizzy after the new dose"
MESSAGE_SUBJECT = "canary-subject-Lp4"


def _portal() -> Portal:
    full = generate_patient(23)
    # Three lab orders are enough for every code path; the password is the planted one.
    patient = dataclasses.replace(full, password=PASSWORD, lab_orders=full.lab_orders[:3])
    config = PortalConfig(patient=patient, sms_outbox=SmsOutbox(), pdf_generating_calls=0)
    return Portal(config=config, app=create_portal_app(config))


def _mailable_rx(portal: Portal) -> str:
    for rx in portal.patient.rx_details["prescriptions"]["fillable"]:
        if rx["mailable"] == "true" and int(rx["refillsRemaining"]) > 0:
            return str(rx["afcInfo"]["rxnbr"])
    raise AssertionError("the sandbox patient has no mailable prescription")


def _files_text(home: Path) -> str:
    """Every file under ``home`` (SQLite databases and their WAL files included), decoded leniently."""
    return "\n".join(path.read_bytes().decode("utf-8", "replace") for path in home.rglob("*") if path.is_file())


def _every_logger_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    """DEBUG on the root and on every logger that exists, since earlier tests or modules may have quieted
    some (httpx2, the store); caplog puts each level back afterwards."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)


def _line_with(text: str, secret: str) -> str:
    """The first line holding ``secret``, with the secret masked, to say where it leaked."""
    line = next(line for line in text.splitlines() if secret in line)
    return line.replace(secret, "<SECRET>")[:300]


async def _write_twice(portal: Portal, client: PortalClient, home: Path) -> list[str]:
    """A refill and a message, each previewed then committed; returns the confirmation tokens."""

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        yield client

    ops = WriteOperations(clients, ConfirmationGuard(b"k" * 32, home / "used"), AuditLog(home / "audit.log"))
    rx = _mailable_rx(portal)
    refill = await ops.refill(rx, resource_id="mr-1", confirm=None)
    assert (await ops.refill(rx, resource_id="mr-1", confirm=refill.confirmation_token)).status == "committed"
    draft = MessageDraft("ALEX SAMPLE MD", "Medication", MESSAGE_SUBJECT, MESSAGE_TEXT)
    message = await ops.send_message(draft, confirm=None)
    assert (await ops.send_message(draft, confirm=message.confirmation_token)).status == "committed"
    assert portal.config.writes.sent_messages, "the message was really sent"
    return [token for token in (refill.confirmation_token, message.confirmation_token) if token]


def _read_through_the_facade(store: SqliteStore) -> None:
    app = create_facade_app(store, FacadeSettings(token=FACADE_TOKEN))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as facade:
        bearer = {"Authorization": f"Bearer {FACADE_TOKEN}"}
        assert facade.get("/fhir/Observation?category=laboratory&_count=5", headers=bearer).status_code == 200
        assert facade.get("/fhir/Communication?_count=3", headers=bearer).status_code == 200
        assert facade.get("/fhir/Patient", headers={"Authorization": "Bearer " + FACADE_TOKEN[:-1]}).status_code == 401
        assert facade.get("/fhir/Patient", headers={**bearer, "Host": "evil.test"}).status_code >= 400


async def test_a_debug_run_leaks_no_planted_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    _every_logger_at_debug(caplog)
    portal = _portal()
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    try:
        async with await portal.client() as client:
            report = await SyncEngine(client, store, clock=portal.clock).run()
            assert report.ok, [r.error for r in report.surfaces if not r.ok]
            session_cookies = [cookie["value"] for cookie in client.session.cookies if len(cookie["value"]) >= 8]
            tokens = await _write_twice(portal, client, tmp_path)
        _read_through_the_facade(store)
    finally:
        store.close()
    mfa_code = portal.config.sms_outbox.latest_code()
    assert mfa_code and session_cookies and len(tokens) == 2
    out, err = capfd.readouterr()
    # The sandbox plays Kaiser and the user's phone (it "texts" the MFA code); its log is the far side.
    logs = "\n".join(
        f"{r.levelname} {r.name} {r.getMessage()}" for r in caplog.records if ".sandbox" not in f".{r.name}"
    )
    assert "DEBUG" in logs and "surface written surface=messages" in logs  # the run really logged at DEBUG
    places = {"logs": logs, "stdout": out, "stderr": err, "home files": _files_text(tmp_path)}
    secrets = {"password": PASSWORD, "mfa code": mfa_code, "facade token": FACADE_TOKEN, "message": MESSAGE_TEXT}
    secrets |= {f"cookie {i}": value for i, value in enumerate(session_cookies)}
    secrets |= {f"confirmation token {i}": token for i, token in enumerate(tokens)}
    leaks = [
        f"{what} in {where}: {_line_with(text, secret)}"
        for what, secret in secrets.items()
        for where, text in places.items()
        if secret in text
    ]
    assert leaks == []
    assert MESSAGE_SUBJECT not in (tmp_path / "audit.log").read_text()
