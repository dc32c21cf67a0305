"""The SMS outbox: storing, logging, and waiting for codes across threads."""

from __future__ import annotations

import logging
import threading

import pytest

from sandbox.sms import SmsOutbox


def test_send_logs_like_a_phone_and_keeps_the_code(caplog: pytest.LogCaptureFixture) -> None:
    outbox = SmsOutbox()
    with caplog.at_level(logging.INFO, logger="fhirgate.sandbox.sms"):
        outbox.send("0100", "Your Kaiser Permanente sign-in code is 123456")
    assert caplog.messages == ["sms to ***-0100: Your Kaiser Permanente sign-in code is 123456"]
    assert outbox.latest_code() == "123456" and len(outbox) == 1


def test_latest_code_is_none_without_messages() -> None:
    outbox = SmsOutbox()
    assert outbox.latest_code() is None
    outbox.send("0100", "No code in this one")
    assert outbox.latest_code() is None


async def test_wait_for_code_skips_older_messages() -> None:
    outbox = SmsOutbox()
    outbox.send("0100", "Your Kaiser Permanente sign-in code is 111111")
    outbox.send("0100", "Your Kaiser Permanente sign-in code is 222222")
    assert await outbox.wait_for_code() == "111111"
    assert await outbox.wait_for_code(newer_than=1) == "222222"


async def test_wait_for_code_sees_a_text_sent_from_another_thread() -> None:
    outbox = SmsOutbox()
    start = len(outbox)
    timer = threading.Timer(0.05, outbox.send, args=("0100", "Your Kaiser Permanente sign-in code is 654321"))
    timer.start()
    try:
        assert await outbox.wait_for_code(newer_than=start, timeout=5) == "654321"
    finally:
        timer.join()


async def test_wait_for_code_times_out() -> None:
    outbox = SmsOutbox()
    outbox.send("0100", "Your Kaiser Permanente sign-in code is 111111")
    with pytest.raises(TimeoutError):
        await outbox.wait_for_code(newer_than=1, timeout=0.05)
