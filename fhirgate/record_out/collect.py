"""Runs every source's part into a sink, source by source, reporting progress; a failing source is a problem
to report, not the end of the export."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from fhir_client import FhirClientError
from fhirgate.record_out.parts import RecordPart
from fhirgate.record_out.practice_record import PracticeRecordError
from fhirgate.record_out.sinks import RecordSink


class CollectProgress(Protocol):
    def part_started(self, name: str, total: int | None) -> None: ...

    def part_advanced(self, name: str, total: int | None) -> None: ...

    def part_finished(self, name: str, count: int) -> None: ...


@dataclass
class CollectReport:
    """Resources written per source, and the problems (failed or partial sources)."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


async def collect(parts: Sequence[RecordPart], sink: RecordSink, progress: CollectProgress) -> CollectReport:
    report = CollectReport()
    for part in parts:
        progress.part_started(part.name, part.total)
        count = 0
        try:
            async for item in part.items():
                sink.write(item)
                count += 1
                progress.part_advanced(part.name, part.total)
        except (FhirClientError, PracticeRecordError) as exc:
            report.failed.append(part.name)
            report.problems.append(f"{part.name}: not exported completely: {exc}")
        report.problems += [f"{part.name}: {note}" for note in part.notes]
        report.counts[part.name] = count
        progress.part_finished(part.name, count)
    sink.finish(report.problems)
    return report
