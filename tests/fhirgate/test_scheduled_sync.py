"""The scheduled sync against the sandbox portal over loopback HTTP: a new result notifies with counts only,
a portal outage backs off, a dead session pauses (and says so) until the session changes, and the home's
sync lock keeps a second sync out."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from fhirgate.desktop_notice import DesktopNotifier
from fhirgate.scheduled_sync import LOGIN_PAUSE, NotSignedIn, ScheduledSync
from fhirgate.serving import serve_in_thread
from fhirgate.sync_schedule import Outcome, SyncSchedule
from fhirgate.watch_state import read_watch_state, watch_line
from gateway.kaiser.portal_client import PortalClient
from gateway.record_news import NEWS_KINDS
from gateway.store import SqliteStore
from tests.sync.portal_harness import CORE_SURFACES, Portal, make_portal

COUNTS_ONLY = re.compile(r"^\d+ [a-z ]+(, \d+ [a-z ]+)* from Kaiser$")


@pytest.fixture
def portal() -> Iterator[Portal]:
    served = make_portal(seed=11)
    served.config.pdf_generating_calls = 0
    with serve_in_thread(served.app) as server:
        served.served_at = server.base_url
        yield served


@pytest.fixture
def fake_notify_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `notify-send` on PATH that appends its argv (one argument a line) to a file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "notified.txt"
    script = bin_dir / "notify-send"
    script.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"with open({str(record)!r}, 'a') as f:\n    f.write(chr(10).join(sys.argv[1:]) + chr(10) + '--' + chr(10))\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return record


def _notified(record: Path) -> list[list[str]]:
    """Each call of the fake notifier, as its argv."""
    if not record.exists():
        return []
    return [call.splitlines() for call in record.read_text().split("--\n") if call]


def _runner(home: Path, store: SqliteStore, portal: Portal, every: timedelta = timedelta(hours=6)) -> ScheduledSync:
    schedule = SyncSchedule(every, clock=lambda: datetime.now(UTC), random=lambda: 0.5)
    return ScheduledSync(
        home=home,
        store=store,
        open_portal=portal.client,
        schedule=schedule,
        notifier=DesktopNotifier(platform="linux"),
        surfaces=CORE_SURFACES,
    )


async def test_a_new_sandbox_result_notifies_with_counts_and_no_record_text(
    tmp_path: Path, portal: Portal, fake_notify_send: Path
) -> None:
    whole = portal.patient
    portal.config.patient = replace(whole, lab_orders=whole.lab_orders[:-1])  # the portal lists it later
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    runner = _runner(tmp_path, store, portal)
    assert await runner.run_once() is Outcome.OK
    assert _notified(fake_notify_send) == []  # the first sync fills an empty store: nothing to announce
    assert await runner.run_once() is Outcome.OK
    assert _notified(fake_notify_send) == []  # nothing new
    portal.config.patient = whole
    assert await runner.run_once() is Outcome.OK
    store.close()
    (argv,) = _notified(fake_notify_send)
    assert argv[:3] == ["--app-name", "fhirgate", "fhirgate"]
    (text,) = argv[3:]
    assert text == runner.notices[0] and "1 new results" in text
    assert COUNTS_ONLY.match(text), text
    allowed = {"from", "kaiser"} | {word for kind in NEWS_KINDS for word in kind.label.split()}
    assert set(re.findall(r"[a-z]+", text.lower())) <= allowed, text
    state = read_watch_state(tmp_path)
    assert state is not None and state.state == "ok" and state.next_run is not None


async def test_a_failing_portal_backs_off_and_says_so(tmp_path: Path, portal: Portal) -> None:
    portal.config.faults.burst_status = 503
    portal.config.faults.burst_count = 10_000
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    runner = _runner(tmp_path, store, portal)
    runner.schedule.first_backoff = timedelta(minutes=5)
    before = datetime.now(UTC)
    assert await runner.run_once() is Outcome.FAILED
    assert await runner.run_once() is Outcome.FAILED
    store.close()
    assert runner.next_due is not None
    assert timedelta(minutes=9) <= runner.next_due - before <= timedelta(minutes=11, seconds=30)
    state = read_watch_state(tmp_path)
    assert state is not None and state.state == "failed" and "trying again later" in watch_line(state)


async def test_a_dead_session_pauses_until_the_session_changes(tmp_path: Path, portal: Portal) -> None:
    portal.config.faults.expire_all_sessions = True
    portal.fail_relogin = True
    marker = ["first session"]
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    runner = _runner(tmp_path, store, portal, every=timedelta(seconds=0.2))
    runner.session_marker = lambda: marker[0]
    stop = asyncio.Event()
    loop = asyncio.create_task(runner.run(stop))
    for _ in range(200):
        await asyncio.sleep(0.05)
        if runner.schedule.paused:
            break
    state = read_watch_state(tmp_path)
    assert state is not None and state.state == "login required" and state.next_run is None
    assert "fhirgate login kaiser" in watch_line(state)
    await asyncio.sleep(0.5)
    assert runner.schedule.paused  # no retry while the session is the same
    portal.config.faults.expire_all_sessions = False
    portal.fail_relogin = False
    marker[0] = "signed in again"
    for _ in range(400):
        await asyncio.sleep(0.05)
        state = read_watch_state(tmp_path)
        if state is not None and state.state == "ok":
            break
    stop.set()
    await loop
    store.close()
    assert state is not None and state.state == "ok", state


async def test_not_signed_in_is_a_pause_not_a_failure(tmp_path: Path) -> None:
    async def no_session() -> PortalClient:
        raise NotSignedIn

    store = SqliteStore.open(tmp_path / "store.sqlite3")
    schedule = SyncSchedule(timedelta(hours=6), clock=lambda: datetime.now(UTC), random=lambda: 0.5)
    runner = ScheduledSync(home=tmp_path, store=store, open_portal=no_session, schedule=schedule)
    assert await runner.run_once() is Outcome.LOGIN_REQUIRED
    store.close()
    state = read_watch_state(tmp_path)
    assert state is not None and state.message == LOGIN_PAUSE


HOLD_LOCK = """
import sys, time
from pathlib import Path
from fhirgate.sync_lock import home_sync_lock
with home_sync_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def lock_held_elsewhere(tmp_path: Path) -> Iterator[Path]:
    """The home's sync lock held by another process until the test ends."""
    holder = subprocess.Popen(  # noqa: S603 - this Python, a fixed script
        [sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    yield tmp_path
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=10)
    holder.stdout.close()


async def test_a_scheduled_sync_never_runs_beside_another_sync_of_the_home(
    lock_held_elsewhere: Path, portal: Portal
) -> None:
    home = lock_held_elsewhere
    store = SqliteStore.open(home / "store.sqlite3")
    runner = _runner(home, store, portal)
    assert await runner.run_once() is Outcome.OK
    assert store.surface_states() == [] and portal.logins == 0
    store.close()
    state = read_watch_state(home)
    assert state is not None and state.state == "busy" and "already running" in state.message


async def test_the_loop_naps_at_most_five_minutes_and_retries_on_the_back_off(tmp_path: Path) -> None:
    from gateway.kaiser.errors import PortalUnavailable

    now = [datetime(2026, 12, 3, 9, 0, tzinfo=UTC)]
    naps: list[float] = []
    attempts: list[datetime] = []
    stop = asyncio.Event()

    async def down() -> PortalClient:
        attempts.append(now[0])
        raise PortalUnavailable("kp.org answered 503")

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        now[0] += timedelta(seconds=seconds)
        if len(attempts) >= 3:
            stop.set()

    store = SqliteStore.open(tmp_path / "store.sqlite3")
    schedule = SyncSchedule(timedelta(hours=6), clock=lambda: now[0], random=lambda: 0.5)
    runner = ScheduledSync(home=tmp_path, store=store, open_portal=down, schedule=schedule, sleep=nap)
    await runner.run(stop)
    store.close()
    assert max(naps) <= 300
    gaps = [later - earlier for earlier, later in pairwise(attempts)]
    assert gaps == [timedelta(minutes=5), timedelta(minutes=10)]
