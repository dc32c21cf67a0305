"""The audit log: one private JSON line per event, with sensitive values redacted."""

from __future__ import annotations

import logging
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fhirgate.settings import Settings
from fhirgate.write_wiring import home_audit_log
from gateway.writes.audit import AuditLog


def test_lines_are_appended_privately_with_secrets_and_text_redacted(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "home" / "audit.log", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    log.append(
        "send-message",
        "preview",
        recipient="ALEX SAMPLE MD",
        subject="private subject",
        nested={"paymentToken": "tok-123", "cardType": "AM", "ok": 1},
    )
    log.append("refill", "commit", order_number="030abc")
    events = log.events()
    assert [e["phase"] for e in events] == ["preview", "commit"]
    assert events[0]["subject"] == "[redacted]" and events[0]["nested"] == {
        "paymentToken": "[redacted]",
        "cardType": "[redacted]",
        "ok": 1,
    }
    assert events[0]["recipient"] == "ALEX SAMPLE MD" and events[1]["order_number"] == "030abc"
    raw = (tmp_path / "home" / "audit.log").read_text()
    assert "private subject" not in raw and "tok-123" not in raw
    assert stat.S_IMODE((tmp_path / "home" / "audit.log").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "home").stat().st_mode) == 0o700


def test_an_unwritable_audit_log_never_breaks_the_call(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    log = AuditLog(blocker / "audit.log")
    with caplog.at_level(logging.ERROR, logger="fhirgate.audit"):
        log.append("refill", "preview", subject="private subject")  # parent is a file: logged, not raised
    assert blocker.read_text() == "x"  # nothing written anywhere
    (record,) = caplog.records
    assert "event=audit_write_failed" in record.getMessage() and "private subject" not in caplog.text


def test_the_home_s_audit_log_tightens_a_directory_that_already_exists(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
    settings.home.mkdir(mode=0o755)
    settings.home.chmod(0o755)
    home_audit_log(settings).append("refill", "preview")
    assert stat.S_IMODE(settings.home.stat().st_mode) == 0o700
    assert [e["phase"] for e in home_audit_log(settings).events()] == ["preview"]
