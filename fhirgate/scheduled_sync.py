"""The scheduled sync behind `fhirgate watch` and `fhirgate serve --sync-every`: syncs Kaiser when
``SyncSchedule`` says, under the home's sync lock, notifies the desktop when a sync brought news, and keeps
its state in ``watch.json`` in the home (read by `fhirgate status` and the overview page), so a pause for
a sign-in is visible where the person looks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fhirgate.desktop_notice import DesktopNotifier, news_text
from fhirgate.sync_lock import SyncAlreadyRunning, home_sync_lock
from fhirgate.sync_schedule import Outcome, SyncSchedule
from fhirgate.watch_state import WatchState, write_watch_state
from gateway.facade import RefreshFailed
from gateway.kaiser.errors import KaiserError, LoginFailed, SessionExpired
from gateway.kaiser.portal_client import PortalClient
from gateway.record_news import news_since
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine

__all__ = ["LOGIN_PAUSE", "NotSignedIn", "ScheduledSync"]

log = logging.getLogger(__name__)
LOGIN_PAUSE = "scheduled sync paused: Kaiser needs you to sign in again (run `fhirgate login kaiser`)"
RESUME_POLL = timedelta(minutes=1)
LONGEST_NAP = timedelta(minutes=5)
"""Waits are cut into naps of at most this and the wall clock read after each: a laptop that slept
through the due time syncs within minutes of waking (the monotonic clock stands still in suspend)."""


class NotSignedIn(Exception):
    """Raised by an ``open_portal`` when the home holds no Kaiser session."""


class ScheduledSync:
    def __init__(
        self,
        *,
        home: Path,
        store: SqliteStore,
        open_portal: Callable[[], Awaitable[PortalClient]],
        schedule: SyncSchedule,
        notifier: DesktopNotifier | None = None,
        session_marker: Callable[[], object] = lambda: None,
        surfaces: Sequence[str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.home = home
        self.store = store
        self.open_portal = open_portal
        self.schedule = schedule
        self.notifier = notifier
        self.session_marker = session_marker
        self.surfaces = surfaces
        self.sleep = sleep
        self.next_due: datetime | None = None
        """When the next sync is due after the last ``run_once`` (None: paused for a sign-in)."""
        self.notices: list[str] = []
        """The notification texts this runner sent (also what a test reads)."""

    async def run_once(self) -> Outcome:
        """One sync now, under the home's lock; records the outcome and notifies of news."""
        clock = self.schedule.clock
        started = clock()
        try:
            with home_sync_lock(self.home):
                synced_before = any(s.last_success is not None for s in self.store.surface_states())
                outcome, message = await self._sync()
        except SyncAlreadyRunning as exc:
            self.next_due = self.schedule.next_run(Outcome.OK)
            self._record("busy", str(exc), self.next_due)
            return Outcome.OK
        self.next_due = self.schedule.next_run(outcome)
        self._record(outcome.value, message, self.next_due)
        if outcome is not Outcome.LOGIN_REQUIRED and synced_before:
            self._notify(started)
        return outcome

    async def run(self, stop: asyncio.Event) -> None:
        """Sync on schedule until ``stop`` is set; while paused for a sign-in, wait for the session to
        change (checked every minute, or every interval if shorter) and then sync again."""
        due: datetime | None = self.schedule.first_run()
        paused_marker: object = None
        while not stop.is_set():
            if due is None:
                if self.session_marker() != paused_marker:
                    due = self.schedule.resume()
                    continue
                await self._wait(stop, min(RESUME_POLL, self.schedule.every))
                continue
            wait = (due - self.schedule.clock()).total_seconds()
            if wait > 0:
                await self._wait(stop, min(timedelta(seconds=wait), LONGEST_NAP))
                continue
            outcome = await self.run_once()
            if outcome is Outcome.LOGIN_REQUIRED:
                paused_marker = self.session_marker()
                due = None
            else:
                due = self.next_due

    async def _wait(self, stop: asyncio.Event, wait: timedelta) -> None:
        sleeper = asyncio.ensure_future(self.sleep(wait.total_seconds()))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
            await asyncio.gather(sleeper, stopper, return_exceptions=True)

    async def _sync(self) -> tuple[Outcome, str]:
        try:
            async with await self.open_portal() as client:
                report = await SyncEngine(client, self.store, clock=lambda: datetime.now(UTC)).run(self.surfaces)
        except (NotSignedIn, LoginFailed, SessionExpired):
            return Outcome.LOGIN_REQUIRED, LOGIN_PAUSE
        except (KaiserError, RefreshFailed, OSError) as exc:
            return Outcome.FAILED, f"scheduled sync failed ({type(exc).__name__}); trying again later"
        except Exception as exc:  # an unattended watcher backs off rather than dies
            log.warning("scheduled sync: unexpected %s", type(exc).__name__)
            return Outcome.FAILED, f"scheduled sync failed (unexpected {type(exc).__name__}); trying again later"
        if report.login_required:
            return Outcome.LOGIN_REQUIRED, LOGIN_PAUSE
        failed = [r.surface for r in report.surfaces if not r.ok]
        if failed:
            return Outcome.FAILED, f"scheduled sync: {len(failed)} surface(s) failed; trying again later"
        return Outcome.OK, "scheduled sync done"

    def _notify(self, started: datetime) -> None:
        text = news_text(news_since(self.store, started))
        if text is None:
            return
        self.notices.append(text)
        if self.notifier is not None:
            self.notifier.notify(text)

    def _record(self, state: str, message: str, next_run: datetime | None) -> None:
        when = None if next_run is None else next_run.isoformat()
        write_watch_state(self.home, WatchState(state, message, self.schedule.clock().isoformat(), when))
        log.info("scheduled sync: %s", state)
