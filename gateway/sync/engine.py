"""The sync engine: run each surface, translate, and commit each surface in one store transaction.

A surface that fails leaves its previously stored data intact and is reported; the others commit.
The profile surface always runs first because the others need the patient id it yields.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from gateway.kaiser.errors import KaiserError
from gateway.kaiser.portal_client import PortalClient
from gateway.store import ResourceStore
from gateway.sync.progress import SilentProgress, SurfaceReport, SyncProgress
from gateway.sync.surfaces import SURFACES, SyncContext, surface_named, warning_lines
from translators.errors import UntranslatableError

log = logging.getLogger("fhirgate.sync")

Clock = Callable[[], datetime]


@dataclass
class SyncReport:
    surfaces: list[SurfaceReport] = field(default_factory=list)
    patient_id: str | None = None

    @property
    def ok(self) -> bool:
        return all(report.ok for report in self.surfaces)


class SyncEngine:
    def __init__(
        self,
        client: PortalClient,
        store: ResourceStore,
        *,
        clock: Clock,
        progress: SyncProgress | None = None,
        region: str = "NCA",
    ) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.progress = progress or SilentProgress()
        self.region = region

    async def run(self, names: Sequence[str] | None = None) -> SyncReport:
        wanted = list(names) if names else [surface.name for surface in SURFACES]
        for name in wanted:
            surface_named(name)  # fail fast on a typo, before any request
        if "profile" not in wanted:
            wanted.insert(0, "profile")
        ctx = SyncContext(client=self.client, progress=self.progress, region=self.region)
        report = SyncReport()
        for surface in SURFACES:
            if surface.name not in wanted:
                continue
            surface_report = await self._run_surface(surface.name, surface.title, ctx)
            report.surfaces.append(surface_report)
            if surface.name == "profile" and not surface_report.ok:
                break  # nothing else can be translated without the patient
        report.patient_id = ctx.patient_id
        return report

    async def _run_surface(self, name: str, title: str, ctx: SyncContext) -> SurfaceReport:
        surface = surface_named(name)
        self.progress.surface_started(name, title)
        started = time.monotonic()
        report = SurfaceReport(surface=name)
        try:
            collected = await surface.collect(ctx)
        except (KaiserError, UntranslatableError) as exc:
            report.error = str(exc)
            self.store.record_surface_failure(name, str(exc), now=self.clock())
            log.warning("event=surface_failed surface=%s error=%s", name, exc)
        else:
            problems = collected.problems + warning_lines(collected.result)
            summary = self.store.write_surface(name, collected.result.resources, problems=problems, now=self.clock())
            report.new, report.updated, report.unchanged = summary.new, summary.updated, summary.unchanged
            report.failed = collected.failed
            report.problems = problems
        report.seconds = time.monotonic() - started
        self.progress.surface_finished(report)
        return report
