"""The sync engine: run each surface, translate, and commit each surface in one store transaction.

A surface that fails (a Kaiser error, a bad payload, or any unexpected exception) leaves its previously
stored data and sync state intact and is reported; the others commit. The profile surface runs first
because the others need the patient id it yields; then every other surface runs concurrently, all
sharing the client's one in-flight limit per host, so small surfaces whose calls depend on each other
overlap with the big ones instead of leaving slots idle. Each surface commits on its own as it ends.
When the session cannot be revived (``LoginRequired``) every surface still running fails with it and
the report names the command to run. Each committed batch that brought new or changed data carries a
Provenance. The keepalive pulses while the sync runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from gateway.kaiser.errors import KaiserError, LoginRequired
from gateway.kaiser.keepalive import KEEPALIVE_SECONDS, keepalive_running
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, PortalSurface, SyncContext
from gateway.kaiser.surfaces.table import SURFACES, surface_named
from gateway.store import InvalidResourceError, ResourceStore, StoreFullError
from gateway.sync.changes import changed_references
from gateway.sync.progress import SilentProgress, SurfaceReport, SyncProgress
from translators.errors import UntranslatableError
from translators.provenance import sync_provenance
from translators.types import TranslationResult

log = logging.getLogger("fhirgate.sync")

Clock = Callable[[], datetime]


@dataclass
class SyncReport:
    surfaces: list[SurfaceReport] = field(default_factory=list)
    patient_id: str | None = None
    login_required: str | None = None
    """Set when the sync stopped because the user must sign in again (the message to show)."""

    @property
    def ok(self) -> bool:
        return self.login_required is None and all(report.ok for report in self.surfaces)


class SyncEngine:
    def __init__(
        self,
        client: PortalClient,
        store: ResourceStore,
        *,
        clock: Clock,
        progress: SyncProgress | None = None,
        region: str = "NCA",
        keepalive_seconds: float = KEEPALIVE_SECONDS,
    ) -> None:
        self.client = client
        self.store = store
        self.clock = clock
        self.progress = progress or SilentProgress()
        self.region = region
        self.keepalive_seconds = keepalive_seconds

    async def run(self, names: Sequence[str] | None = None, *, full: bool = False) -> SyncReport:
        """Sync ``names`` (all surfaces by default); ``full`` ignores what earlier syncs kept."""
        wanted = list(names) if names else [surface.name for surface in SURFACES]
        for name in wanted:
            surface_named(name)  # fail fast on a typo, before any request
        if "profile" not in wanted:
            wanted.insert(0, "profile")
        ctx = SyncContext(client=self.client, progress=self.progress, region=self.region, store=self.store, full=full)
        chosen = [surface for surface in SURFACES if surface.name in wanted]
        report = SyncReport()
        async with keepalive_running(self.client, interval=self.keepalive_seconds):
            profile = await self._run_surface(chosen[0], ctx)  # the table puts profile first
            report.surfaces.append(profile)
            if profile.ok:  # nothing else can be translated without the patient
                # Each run announces its surface before its first await, so the bars appear in table order.
                runs = (self._run_surface(surface, replace(ctx)) for surface in chosen[1:])
                report.surfaces.extend(await asyncio.gather(*runs))
        dead = next((r for r in report.surfaces if r.login_required), None)
        report.login_required = dead.error if dead else None
        report.patient_id = ctx.patient_id
        return report

    async def _run_surface(self, surface: PortalSurface, ctx: SyncContext) -> SurfaceReport:
        name = surface.name
        self.progress.surface_started(name, surface.title)
        started = time.monotonic()
        requests_before = self.client.requests_counted_as(name)
        report = SurfaceReport(surface=name)
        ctx.previous_state = {} if ctx.full else self.store.get_sync_state(name)
        try:
            with self.client.counted_as(name):
                collected = await surface.collect(ctx)
            # A big surface's write takes seconds; off the event loop, the others' requests keep flowing.
            await asyncio.to_thread(self._commit, name, collected, report)
        except LoginRequired as exc:
            report.login_required = True
            self._fail(name, report, str(exc))
        except (KaiserError, UntranslatableError, InvalidResourceError) as exc:  # the last: one id, two contents
            self._fail(name, report, str(exc))
        except StoreFullError:
            self._fail(name, report, "disk full: free some space, then `fhirgate sync` again (earlier data kept)")
        except Exception as exc:  # one surface's bug must not sink the others; no payload in the message
            # The exception's message may quote portal data: log where it happened, never what it said.
            where = traceback.extract_tb(exc.__traceback__)[-1]
            log.error(
                "event=surface_crashed surface=%s error_type=%s at=%s:%d",
                name,
                type(exc).__name__,
                Path(where.filename).name,
                where.lineno or 0,
            )
            self._fail(name, report, f"unexpected {type(exc).__name__} (a fhirgate bug; earlier data kept)")
        report.seconds = time.monotonic() - started
        report.requests = self.client.requests_counted_as(name) - requests_before
        self.progress.surface_finished(report)
        return report

    def _commit(self, name: str, collected: Collected, report: SurfaceReport) -> None:
        problems = collected.problems + warning_lines(collected.result)
        resources = list(collected.result.resources)
        now = self.clock()
        targets = changed_references(self.store, resources)
        if targets:
            resources.append(sync_provenance(name, targets, now))
        summary = self.store.write_surface(name, resources, problems=problems, now=now, sync_state=collected.sync_state)
        report.new, report.updated, report.unchanged = summary.new, summary.updated, summary.unchanged
        report.failed = collected.failed
        report.problems = problems

    def _fail(self, name: str, report: SurfaceReport, message: str) -> None:
        report.error = message
        try:
            self.store.record_surface_failure(name, message, now=self.clock())
        except StoreFullError:  # too full even to note the failure: the report still carries it
            log.warning("event=failure_not_recorded surface=%s reason=disk_full", name)
        log.warning("event=surface_failed surface=%s error=%s", name, message)


def warning_lines(result: TranslationResult) -> list[str]:
    return [str(warning) for warning in result.warnings]
