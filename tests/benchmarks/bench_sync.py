"""Sync benchmark (``make bench``; never part of ``make test``): the large patient, 150 ms per request.

Runs ``fhirgate sandbox portal --size large --faults latency=0.15`` as its own process (so serving does
not share this process's CPU with translating), signs in through its forms (the MFA code is read from
its output), runs a full sync of every surface and then an unchanged one, prints a table and rewrites
the sync section of docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from gateway.kaiser.surfaces.table import SURFACE_NAMES
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from gateway.sync.progress import SurfaceReport
from tests.sync.portal_harness import Portal, make_portal

LATENCY = 0.15
SEED = 11
CONCURRENCY = 4
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTION = "## Kaiser sync (large patient)"


@contextlib.contextmanager
def _sandbox_process(portal: Portal) -> Iterator[str]:
    """The sandbox portal in a child process; its texted MFA codes are relayed into ``portal``'s outbox."""
    command = [sys.executable, "-m", "fhirgate", "sandbox", "portal", "--size", "large", "--seed", str(SEED)]
    command += ["--faults", f"latency={LATENCY}"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)  # noqa: S603
    assert child.stdout is not None
    stdout = child.stdout
    try:
        url = ""
        while not url:
            line = stdout.readline()
            if not line:
                raise RuntimeError("the sandbox portal process exited before printing its URL")
            url = line.removeprefix("url: ").strip() if line.startswith("url: ") else ""

        def relay() -> None:
            for line in stdout:
                if line.startswith("MFA code texted: "):
                    portal.config.sms_outbox.send(portal.patient.phone_last4, "Your code is " + line.split(": ")[1])

        threading.Thread(target=relay, daemon=True).start()
        yield url
    finally:
        child.terminate()
        child.wait(timeout=10)


class RequestsPerSurface:
    """A progress sink that notes how many requests and seconds each surface took (surfaces run concurrently,
    so the counts come from the engine's per-surface tally, not from the client's total)."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, float]] = {}

    def surface_started(self, surface: str, title: str) -> None:
        return None

    def surface_total(self, surface: str, total: int) -> None:
        return None

    def surface_advanced(self, surface: str, steps: int = 1) -> None:
        return None

    def surface_finished(self, report: SurfaceReport) -> None:
        self.rows[report.surface] = (report.requests, report.seconds)


async def _measure() -> tuple[dict[str, tuple[int, float]], dict[str, tuple[int, float]], dict[str, float]]:
    portal = make_portal(seed=SEED, size="large")
    with _sandbox_process(portal) as base_url, tempfile.TemporaryDirectory() as home:
        portal.served_at = base_url
        store = SqliteStore.open(Path(home) / "store.sqlite3")
        try:
            async with await portal.client(concurrency=CONCURRENCY) as client:
                first_rows, second_rows = RequestsPerSurface(), RequestsPerSurface()
                engine = SyncEngine(client, store, clock=portal.clock, progress=first_rows)
                client.request_count = 0  # the sign-in is not part of the sync
                load_before = os.getloadavg()[0]
                started = time.perf_counter()
                first = await engine.run(full=True)
                wall = time.perf_counter() - started
                first_requests = client.request_count
                client.request_count = 0
                engine.progress = second_rows
                started = time.perf_counter()
                second = await engine.run()
                second_wall = time.perf_counter() - started
                second_requests = client.request_count
                load_after = os.getloadavg()[0]
        finally:
            store.close()
    failed = [r.surface for r in first.surfaces + second.surfaces if not r.ok]
    if failed:
        print(f"warning: surfaces failed during the benchmark: {sorted(set(failed))}", file=sys.stderr)
    ideal = first_requests / CONCURRENCY * LATENCY
    return (
        first_rows.rows,
        second_rows.rows,
        {
            "wall": wall,
            "requests": first_requests,
            "ideal": ideal,
            "ratio": wall / ideal,
            "second_requests": second_requests,
            "second_wall": second_wall,
            "second_share": second_requests / first_requests,
            "load_before": load_before,
            "load_after": load_after,
        },
    )


def _surface_table(first: dict[str, tuple[int, float]], second: dict[str, tuple[int, float]]) -> str:
    lines = [
        "| surface | full: requests | full: seconds | full: ratio to ideal | unchanged: requests |",
        "|---|---|---|---|---|",
    ]
    for surface in (name for name in SURFACE_NAMES if name in first):  # table order, not finishing order
        requests, seconds = first[surface]
        ideal = max(requests / CONCURRENCY * LATENCY, LATENCY)
        lines.append(
            f"| {surface} | {requests} | {seconds:.2f} | {seconds / ideal:.2f} | {second.get(surface, (0, 0.0))[0]} |"
        )
    reread = [name for name, (requests, _) in second.items() if requests > max(10, first[name][0] // 10)]
    lines += [
        "",
        f"Surfaces run concurrently after the profile and share the {CONCURRENCY} slots, so a surface's seconds"
        " include waiting for slots the others hold; its ratio is those seconds over its own ideal.",
        "Unchanged sync still re-reading details: " + (", ".join(reread) if reread else "none") + ".",
    ]
    return "\n".join(lines)


def _table(m: dict[str, float]) -> str:
    return "\n".join(
        [
            "| measure | value |",
            "|---|---|",
            f"| latency per request | {LATENCY * 1000:.0f} ms |",
            f"| concurrency | {CONCURRENCY} |",
            f"| full sync: wall time | {m['wall']:.2f} s |",
            f"| full sync: requests | {m['requests']:.0f} |",
            f"| ideal (requests / concurrency x latency) | {m['ideal']:.2f} s |",
            f"| ratio to ideal | {m['ratio']:.2f} (target <= 1.2) |",
            f"| unchanged second sync: requests | {m['second_requests']:.0f} "
            f"({m['second_share'] * 100:.1f} % of the first; target <= 5 %) |",
            f"| unchanged second sync: wall time | {m['second_wall']:.2f} s |",
        ]
    )


def _write_docs(table: str, measured: dict[str, float]) -> None:
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    body = (
        f"{SECTION}\n\n`make bench` (tests/benchmarks/bench_sync.py): the sandbox's `large` patient (seed {SEED})"
        f" served by `fhirgate sandbox portal` in its own process with {LATENCY * 1000:.0f} ms added per request;"
        " every surface, a full sync and then an unchanged one. Test results are capped at the portal's 200 newest"
        " (no paging cursor, KAISER_API.md §2.6.1), so the full sync reads 200 of the patient's ~2,650 orders"
        " (each with its result PDF when offered: three more requests; a PDF Kaiser is still generating costs"
        " one request and is fetched by the next sync, which is why the unchanged sync reads a few)."
        f" Machine load while measuring: 1-minute load average {measured['load_before']:.1f} before,"
        f" {measured['load_after']:.1f} after, on {os.cpu_count()} CPUs.\n\n" + table + "\n"
    )
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
    text = pattern.sub(body, text) if pattern.search(text) else text.rstrip() + "\n\n" + body
    DOCS.write_text(text)


def main() -> None:
    first, second, measured = asyncio.run(_measure())
    table = _table(measured) + "\n\nPer surface:\n\n" + _surface_table(first, second)
    print(table)  # a script, not library code: stdout is its output
    _write_docs(table, measured)


if __name__ == "__main__":
    main()
