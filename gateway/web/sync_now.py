"""Sync now, as the Overview starts it: the ``SyncLauncher`` protocol the composition root implements (it
runs the home's Kaiser sync in the serving process, under the home's sync lock) and ``SyncBoard``, the
``SyncProgress`` the progress page reads: each surface waiting, running n of m, done with its counts, or
failed with its one-line reason. The sync reports from its own thread; the board's lock keeps each
reading whole."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal, Protocol

from gateway.sync.progress import SurfaceReport, SyncProgress

__all__ = ["BoardView", "SurfaceLine", "SyncBoard", "SyncEnd", "SyncLauncher", "SyncRefused"]

SurfaceStateName = Literal["waiting", "running", "done", "failed"]
REASON_CHARS = 200


class SyncRefused(Exception):
    """A sync cannot start now; the message says why in one line, with the command to run when there is one."""


@dataclass(frozen=True)
class SyncEnd:
    ok: bool
    note: str
    """One line for the person: done, or what went wrong and what to run."""


class SyncLauncher(Protocol):
    def launch(self, progress: SyncProgress, finished: Callable[[SyncEnd], None]) -> None:
        """Start a sync of the home's Kaiser source in the background, report each surface to ``progress``
        and call ``finished`` once at the end; raise ``SyncRefused`` at once when one cannot start (a sync
        of this home already running, or a session that needs the person)."""


@dataclass(frozen=True)
class SurfaceLine:
    surface: str
    title: str
    state: SurfaceStateName = "waiting"
    done: int = 0
    total: int | None = None
    new: int = 0
    updated: int = 0
    reason: str = ""

    @property
    def text(self) -> str:
        if self.state == "waiting":
            return "Waiting"
        if self.state == "running":
            return f"Running: {min(self.done, self.total)} of {self.total}" if self.total else "Running"
        if self.state == "done":
            return f"Done: {self.new} new, {self.updated} updated"
        return f"Failed: {self.reason}"


@dataclass(frozen=True)
class BoardView:
    running: bool
    started: str | None
    lines: list[SurfaceLine]
    end: SyncEnd | None

    @property
    def counts(self) -> tuple[int, int]:
        """New and updated resources over every surface done so far."""
        return sum(line.new for line in self.lines), sum(line.updated for line in self.lines)


class SyncBoard:
    """The one sync-now of this web app: ``begin`` it, let the sync report to it, ``end`` it."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._lines: dict[str, SurfaceLine] = {}
        self._running = False
        self._started: datetime | None = None
        self._end: SyncEnd | None = None

    def begin(self, expected: Iterable[str]) -> bool:
        """Start a new run with ``expected`` surfaces waiting; False when one is already running here."""
        with self._lock:
            if self._running:
                return False
            self._running, self._started, self._end = True, self._clock(), None
            self._lines = {name: SurfaceLine(name, name) for name in expected}
            return True

    def end(self, end: SyncEnd) -> None:
        with self._lock:
            self._running, self._end = False, end
            for name, line in self._lines.items():  # a surface the sync never reached did not run
                if line.state in ("waiting", "running"):
                    self._lines[name] = replace(line, state="failed", reason="not synced: the sync stopped first")

    def refused(self, reason: str) -> None:
        """The launcher would not start the run ``begin`` prepared: nothing runs, and the board says why."""
        with self._lock:
            self._running, self._lines, self._started = False, {}, None
            self._end = SyncEnd(ok=False, note=reason[:REASON_CHARS])

    def view(self) -> BoardView:
        with self._lock:
            started = None if self._started is None else f"{self._started:%Y-%m-%d %H:%M:%S} UTC"
            return BoardView(self._running, started, list(self._lines.values()), self._end)

    def surface_started(self, surface: str, title: str) -> None:
        with self._lock:
            line = self._lines.get(surface, SurfaceLine(surface, title))
            self._lines[surface] = replace(line, title=title, state="running")

    def surface_total(self, surface: str, total: int) -> None:
        self._change(surface, lambda line: replace(line, total=total))

    def surface_advanced(self, surface: str, steps: int = 1) -> None:
        self._change(surface, lambda line: replace(line, done=line.done + steps))

    def surface_finished(self, report: SurfaceReport) -> None:
        def finished(line: SurfaceLine) -> SurfaceLine:
            if report.error is not None:
                return replace(line, state="failed", reason=_one_line(report.error))
            return replace(line, state="done", new=report.new, updated=report.updated)

        self._change(report.surface, finished)

    def _change(self, surface: str, change: Callable[[SurfaceLine], SurfaceLine]) -> None:
        with self._lock:
            self._lines[surface] = change(self._lines.get(surface, SurfaceLine(surface, surface, "running")))


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "no reason given"
    return first[:REASON_CHARS]
