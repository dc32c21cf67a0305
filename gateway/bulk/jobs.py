"""Bulk export jobs: each runs in its own thread (off the event loop), reading the store through its normal
read path and writing NDJSON files under the home; finished jobs and their files are removed after the
retention period.

Jobs live in memory only: a restarted server forgets them, and on start it deletes whatever an earlier
process left under the exports directory (a client polling a forgotten job gets 404 and kicks off again).
"""

from __future__ import annotations

import enum
import json
import logging
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.bulk.kickoff import ExportLevel, ExportRequest
from gateway.bulk.ndjson import NdjsonFiles, private_dir, private_file
from gateway.bulk.record import patient_record, system_record, type_totals
from gateway.store import ResourceStore, StoredResource

logger = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(hours=24)
DEFAULT_MAX_RUNNING = 2
ERROR_FILE = "OperationOutcome.ndjson"
Clock = Callable[[], datetime]


class JobState(enum.StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"


@dataclass
class ExportJob:
    """One kick-off's job: what was asked, how far it got, and what it wrote."""

    id: str
    request: ExportRequest
    transaction_time: datetime
    directory: Path
    state: JobState = JobState.RUNNING
    written: int = 0
    total: int | None = None
    current_type: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    failure: str | None = None
    finished_at: datetime | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def progress(self) -> str:
        """The ``X-Progress`` text: resources written so far (of how many, when known)."""
        of = f" of about {self.total}" if self.total is not None else ""
        doing = f", now {self.current_type}" if self.current_type else ""
        return f"{self.written}{of} resources written{doing}"[:100]


class ExportJobs:
    """The running and finished export jobs of one facade, their files under ``root``."""

    def __init__(
        self,
        store: ResourceStore,
        root: Path,
        *,
        retention: timedelta = DEFAULT_RETENTION,
        max_running: int = DEFAULT_MAX_RUNNING,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self.root = root
        self.retention = retention
        self.max_running = max_running
        self._clock = clock
        self._jobs: dict[str, ExportJob] = {}
        self._lock = threading.Lock()
        if root.exists():
            shutil.rmtree(root, ignore_errors=True)  # files of jobs an earlier process forgot
        private_dir(root)

    def running(self) -> int:
        return sum(1 for job in self._jobs.values() if job.state is JobState.RUNNING)

    def start(self, request: ExportRequest) -> ExportJob | None:
        """Start a job for ``request``, or None when ``max_running`` jobs already run."""
        self.sweep()
        with self._lock:
            if self.running() >= self.max_running:
                return None
            job_id = secrets.token_urlsafe(18)
            job = ExportJob(job_id, request, self._clock(), self.root / job_id)
            self._jobs[job_id] = job
        job.thread = threading.Thread(target=self._run, args=(job,), name=f"bulk-export-{job_id[:6]}", daemon=True)
        job.thread.start()
        logger.info("bulk export started job=%s level=%s types=%d", job_id[:6], request.level, len(request.types))
        return job

    def get(self, job_id: str) -> ExportJob | None:
        self.sweep()
        return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> bool:
        """Stop the job (if running), forget it and delete its files; False when unknown."""
        with self._lock:
            job = self._jobs.pop(job_id, None)
        if job is None:
            return False
        job.cancel.set()
        if job.thread is not None:
            job.thread.join(timeout=30)
        shutil.rmtree(job.directory, ignore_errors=True)
        logger.info("bulk export cancelled job=%s", job_id[:6])
        return True

    def sweep(self) -> None:
        """Forget finished jobs older than the retention period and delete their files."""
        limit = self._clock() - self.retention
        with self._lock:
            expired = [j for j in self._jobs.values() if j.finished_at is not None and j.finished_at <= limit]
            for job in expired:
                del self._jobs[job.id]
        for job in expired:
            shutil.rmtree(job.directory, ignore_errors=True)

    def close(self) -> None:
        """Cancel every job and delete every file (the server is stopping)."""
        for job_id in list(self._jobs):
            self.cancel(job_id)

    def _resources(self, job: ExportJob) -> Iterator[StoredResource]:
        asked = job.request
        stop = job.cancel.is_set
        if asked.level is ExportLevel.PATIENT:
            return patient_record(self._store, asked.types, asked.since, stop)
        job.total = sum(type_totals(self._store, asked.types, asked.since).values())
        return system_record(self._store, asked.types, asked.since, stop)

    def _run(self, job: ExportJob) -> None:
        try:
            with NdjsonFiles(job.directory) as files:
                for stored in self._resources(job):
                    if job.cancel.is_set():
                        return
                    files.write(stored.resource_type, stored.json_text)
                    job.written += 1
                    job.current_type = stored.resource_type
                    job.counts = dict(files.counts)
            self._write_errors(job)
            job.current_type = ""
            job.state = JobState.COMPLETE
        except Exception as exc:  # the job fails, the server does not; the client reads why when it polls
            logger.error("bulk export failed job=%s error_type=%s", job.id[:6], type(exc).__name__)
            job.failure = f"the export failed ({type(exc).__name__}); see the fhirgate log"
            job.state = JobState.FAILED
        finally:
            job.finished_at = self._clock()

    def _write_errors(self, job: ExportJob) -> None:
        if not job.request.ignored:
            return
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "warning",
                    "code": "not-supported",
                    "diagnostics": f"ignored $export parameter {name[:64]!r}",
                }
                for name in job.request.ignored
            ],
        }
        with private_file(job.directory / ERROR_FILE) as handle:
            handle.write(json.dumps(outcome, separators=(",", ":")) + "\n")
        job.errors = 1
