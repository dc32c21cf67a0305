"""``SyncSchedule``: jitter, capped exponential back-off and the sign-in pause, on an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fhirgate.sync_schedule import Outcome, SyncSchedule, parse_every

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _schedule(random_value: float, **kwargs: timedelta) -> tuple[SyncSchedule, Clock]:
    clock = Clock()
    return SyncSchedule(timedelta(hours=6), clock=clock, random=lambda: random_value, **kwargs), clock


@pytest.mark.parametrize(("random_value", "hours"), [(0.0, 5.4), (0.5, 6.0), (0.999999, 6.6)])
def test_a_success_waits_the_interval_within_ten_percent_jitter(random_value: float, hours: float) -> None:
    schedule, clock = _schedule(random_value)
    assert schedule.first_run() == T0
    due = schedule.next_run(Outcome.OK)
    assert due is not None
    assert abs((due - clock.now) - timedelta(hours=hours)) < timedelta(seconds=1)


def test_failures_back_off_exponentially_up_to_the_cap_and_a_success_resets() -> None:
    schedule, clock = _schedule(0.5, max_backoff=timedelta(hours=1))
    waits = []
    for _ in range(6):
        due = schedule.next_run(Outcome.FAILED)
        assert due is not None
        waits.append(due - clock.now)
    assert waits == [timedelta(minutes=m) for m in (5, 10, 20, 40, 60, 60)]
    assert schedule.next_run(Outcome.OK) == clock.now + timedelta(hours=6)
    assert schedule.next_run(Outcome.FAILED) == clock.now + timedelta(minutes=5)


def test_the_back_off_never_exceeds_the_interval_by_default() -> None:
    clock = Clock()
    schedule = SyncSchedule(timedelta(minutes=2), clock=clock, random=lambda: 0.5)
    assert [schedule.next_run(Outcome.FAILED) for _ in range(3)] == [T0 + timedelta(minutes=2)] * 3


def test_login_required_pauses_until_resumed() -> None:
    schedule, clock = _schedule(0.5)
    schedule.next_run(Outcome.FAILED)
    assert schedule.next_run(Outcome.LOGIN_REQUIRED) is None and schedule.paused
    clock.now += timedelta(days=2)
    assert schedule.resume() == clock.now and not schedule.paused and schedule.failures == 0


@pytest.mark.parametrize(
    ("text", "seconds"), [("6h", 21600), ("30m", 1800), ("90s", 90), ("1d", 86400), ("1.5h", 5400)]
)
def test_durations_parse(text: str, seconds: int) -> None:
    assert parse_every(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "6", "h", "0h", "-1h", "6w", "6h30m"])
def test_other_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_every(text)
