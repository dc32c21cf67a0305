"""Rich progress bars and the summary table for a sync (drawn on stderr; stdout may be MCP's)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from gateway.sync.progress import SurfaceReport


class RichSyncProgress:
    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}
        self._totals: dict[str, int] = {}

    def __enter__(self) -> RichSyncProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._progress.stop()

    def surface_started(self, surface: str, title: str) -> None:
        self._tasks[surface] = self._progress.add_task(title, total=None)

    def surface_total(self, surface: str, total: int) -> None:
        self._totals[surface] = total
        self._progress.update(self._tasks[surface], total=total)

    def surface_advanced(self, surface: str, steps: int = 1) -> None:
        self._progress.advance(self._tasks[surface], steps)

    def surface_finished(self, report: SurfaceReport) -> None:
        total = self._totals.get(report.surface) or 1
        self._progress.update(self._tasks[report.surface], total=total, completed=total)


def summary_table(reports: list[SurfaceReport]) -> Table:
    table = Table(title="Sync summary")
    for column in ("surface", "new", "updated", "unchanged", "failed", "seconds", "status"):
        table.add_column(column, justify="right" if column not in ("surface", "status") else "left")
    for report in reports:
        if report.error:
            status = f"[red]failed: {report.error}[/red]"
        elif report.problems:
            status = f"[yellow]partial: {len(report.problems)} problem(s)[/yellow]"
        else:
            status = "[green]ok[/green]"
        table.add_row(
            report.surface,
            str(report.new),
            str(report.updated),
            str(report.unchanged),
            str(report.failed),
            f"{report.seconds:.2f}",
            status,
        )
    return table


def problem_lines(reports: list[SurfaceReport], per_surface: int = 3) -> list[str]:
    """What the partial surfaces are missing, a few lines each (the table only counts them)."""
    lines: list[str] = []
    for report in reports:
        lines += [f"{report.surface}: {problem}" for problem in report.problems[:per_surface]]
        if len(report.problems) > per_surface:
            lines.append(f"{report.surface}: ... and {len(report.problems) - per_surface} more")
    return lines
