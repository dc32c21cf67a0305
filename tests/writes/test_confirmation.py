"""Confirmation tokens: bound to the content, short-lived, single-use, unforgeable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.writes.confirmation import ConfirmationGuard, ConfirmationRejected

KEY = b"k" * 32
CONTENT = {"rx_number": "9990001", "delivery": "mail", "session": "abc"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _guard(tmp_path: Path, clock: Clock | None = None) -> ConfirmationGuard:
    return ConfirmationGuard(KEY, tmp_path / "used", clock=clock or Clock())


def test_a_token_confirms_exactly_the_previewed_content_once(tmp_path: Path) -> None:
    guard = _guard(tmp_path)
    token = guard.issue("refill", CONTENT).value
    guard.redeem(token, "refill", dict(CONTENT))
    with pytest.raises(ConfirmationRejected) as again:
        guard.redeem(token, "refill", CONTENT)
    assert again.value.reason == "reused"


def test_reuse_is_refused_after_a_restart(tmp_path: Path) -> None:
    token = _guard(tmp_path).issue("refill", CONTENT).value
    _guard(tmp_path).redeem(token, "refill", CONTENT)
    with pytest.raises(ConfirmationRejected, match="already used"):
        _guard(tmp_path).redeem(token, "refill", CONTENT)


@pytest.mark.parametrize(
    ("operation", "content"),
    [
        ("refill", {**CONTENT, "rx_number": "9990002"}),
        ("refill", {**CONTENT, "session": "another-session"}),
        ("send-message", CONTENT),
    ],
)
def test_a_token_for_other_content_or_operation_is_a_mismatch(
    tmp_path: Path, operation: str, content: dict[str, str]
) -> None:
    guard = _guard(tmp_path)
    token = guard.issue("refill", CONTENT).value
    with pytest.raises(ConfirmationRejected) as refused:
        guard.redeem(token, operation, content)
    assert refused.value.reason == "mismatch"
    guard.redeem(token, "refill", CONTENT)  # a refused attempt does not burn the token


def test_tokens_expire_after_five_minutes(tmp_path: Path) -> None:
    clock = Clock()
    guard = _guard(tmp_path, clock)
    token = guard.issue("refill", CONTENT).value
    clock.now += timedelta(minutes=5, seconds=1)
    with pytest.raises(ConfirmationRejected) as refused:
        guard.redeem(token, "refill", CONTENT)
    assert refused.value.reason == "expired"


@pytest.mark.parametrize("token", ["", "garbage", "abc.def", "eyJpZCI6IngifQ.forged"])
def test_forged_or_malformed_tokens_are_refused(tmp_path: Path, token: str) -> None:
    with pytest.raises(ConfirmationRejected) as refused:
        _guard(tmp_path).redeem(token, "refill", CONTENT)
    assert refused.value.reason == "malformed"


def test_a_token_from_another_key_is_refused(tmp_path: Path) -> None:
    token = ConfirmationGuard(b"x" * 32, tmp_path / "u1").issue("refill", CONTENT).value
    with pytest.raises(ConfirmationRejected):
        _guard(tmp_path).redeem(token, "refill", CONTENT)
