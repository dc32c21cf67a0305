"""Soak (``make soak``; never part of ``make test``): the facade under sustained mixed load while a sync runs.

The facade serves the sandbox patient's store under uvicorn on loopback; 8 concurrent clients send a
fixed mix of searches, reads and ``$everything`` for ``SOAK_SECONDS`` (default 300) while another thread
syncs the same store from the sandbox portal again and again (full syncs, so every round rewrites).
Reports requests served, errors (target 0), p95 latency in the first and the last minute (drift), and
the process's RSS after warm-up and at the end (target: flat). Prints a Markdown table for
docs/benchmarks.md. Everything runs in one process, so RSS covers facade, sync and clients together.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from fhirgate.serving import serve_in_thread
from gateway.facade import create_facade_app
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from tests.sync.portal_harness import Portal, make_portal

SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
CLIENTS = 8
TOKEN = "soak-token"
MIX = (
    "/fhir/Observation?category=laboratory&_sort=-date&_count=20",
    "/fhir/Observation?code=http://loinc.org|2823-3&date=ge2020-01-01",
    "/fhir/MedicationRequest?status=active&_include=MedicationRequest:medication",
    "/fhir/Patient/{patient}/$everything?_count=50",
    "/fhir/Communication?_count=10&_sort=-sent",
    "/fhir/Condition?clinical-status=active",
    "/fhir/Patient/{patient}",
    "/fhir/Encounter?_count=10&_sort=-date",
)


@dataclass
class Samples:
    """One row per request: seconds since start, latency, and whether the answer was a 2xx."""

    rows: list[tuple[float, float, bool]] = field(default_factory=list)
    rss_kb: list[tuple[float, int]] = field(default_factory=list)
    syncs: int = 0
    sync_failures: int = 0


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def p95(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def sync_again_and_again(portal: Portal, store: SqliteStore, stop: threading.Event, samples: Samples) -> None:
    async def loop() -> None:
        async with await portal.client() as client:
            while not stop.is_set():
                report = await SyncEngine(client, store, clock=portal.clock).run(full=True)
                samples.syncs += 1
                samples.sync_failures += not report.ok

    asyncio.run(loop())


async def load(base_url: str, patient: str, started: float, samples: Samples) -> None:
    paths = itertools.cycle(path.format(patient=patient) for path in MIX)
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def client() -> None:
        async with httpx2.AsyncClient(base_url=base_url, headers=headers, timeout=30) as http:
            while (now := time.perf_counter()) - started < SECONDS:
                try:
                    response = await http.get(next(paths))
                    ok = response.is_success
                except httpx2.HTTPError:
                    ok = False
                samples.rows.append((now - started, time.perf_counter() - now, ok))

    async def memory() -> None:
        while time.perf_counter() - started < SECONDS:
            samples.rss_kb.append((time.perf_counter() - started, rss_kb()))
            await asyncio.sleep(5)
        samples.rss_kb.append((time.perf_counter() - started, rss_kb()))

    await asyncio.gather(memory(), *(client() for _ in range(CLIENTS)))


def report(samples: Samples) -> str:
    window = 60.0 if SECONDS >= 180 else SECONDS / 5
    first = [latency for at, latency, _ in samples.rows if at < window]
    last = [latency for at, latency, _ in samples.rows if at >= SECONDS - window]
    warm = next((kb for at, kb in samples.rss_kb if at >= window), samples.rss_kb[0][1])
    errors = sum(1 for *_, ok in samples.rows if not ok)
    label = "minute" if window == 60.0 else f"{window:.0f} s"
    return "\n".join(
        [
            f"| measure ({SECONDS:.0f} s, {CLIENTS} clients) | value |",
            "|---|---|",
            f"| requests served | {len(samples.rows):,} ({len(samples.rows) / SECONDS:.0f}/s) |",
            f"| errors (non-2xx or no answer) | {errors} |",
            f"| p95 latency, first {label} | {p95(first) * 1000:.1f} ms |",
            f"| p95 latency, last {label} | {p95(last) * 1000:.1f} ms |",
            f"| RSS after warm-up / at the end | {warm / 1024:.0f} MB / {samples.rss_kb[-1][1] / 1024:.0f} MB |",
            f"| full syncs during the run (failed) | {samples.syncs} ({samples.sync_failures}) |",
        ]
    )


def main() -> None:
    portal = make_portal(seed=7)
    portal.config.pdf_generating_calls = 0  # a "Generating" PDF would make each sync wait 30 s
    samples = Samples()
    with tempfile.TemporaryDirectory() as home:
        store = SqliteStore.open(Path(home) / "store.sqlite3")

        async def first_sync() -> str:
            async with await portal.client() as client:
                patient = (await SyncEngine(client, store, clock=portal.clock).run()).patient_id
            assert patient, "the first sync found no patient"
            return patient

        patient = asyncio.run(first_sync())
        stop = threading.Event()
        syncing = threading.Thread(target=sync_again_and_again, args=(portal, store, stop, samples), daemon=True)
        with serve_in_thread(create_facade_app(store, token=TOKEN)) as facade:
            syncing.start()
            asyncio.run(load(f"{facade.base_url}", patient, time.perf_counter(), samples))
            stop.set()
            syncing.join()
        store.close()
    print(report(samples))  # a benchmark script: its table is its output


if __name__ == "__main__":
    main()
