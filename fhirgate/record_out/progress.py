"""A rich progress bar per source while the record is read (drawn on stderr; stdout may be MCP's)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class RichRecordProgress:
    """One bar per source: sized when the source says how much it holds, pulsing otherwise."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> RichRecordProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()

    def part_started(self, name: str, total: int | None) -> None:
        self._tasks[name] = self._progress.add_task(name[:16], total=total)

    def part_advanced(self, name: str, total: int | None) -> None:
        self._progress.update(self._tasks[name], advance=1, total=total)

    def part_finished(self, name: str, count: int) -> None:
        self._progress.update(self._tasks[name], total=count, completed=count)


class RichPushProgress:
    """One bar for the resources being sent."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichPushProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()

    def push_started(self, total: int) -> None:
        self._task = self._progress.add_task("pushing", total=total)

    def push_advanced(self, steps: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, steps)
