"""Soak (``make soak``; never part of ``make test``): the facade and an MCP HTTP server under bursts of
clients while syncs run, for ``SOAK_SECONDS`` (default 300). Fails when open fds or RSS keep growing.

The facade and ``fhirgate mcp --http``'s app (over the same store, as `fhirgate mcp` wires it) run under
uvicorn on loopback, with the same slow-client timeouts as the commands. Every ``BURST_EVERY`` seconds a
burst of ``BURST_CLIENTS`` new clients arrives (each its own connection): most send three facade
requests, ``MCP_CLIENTS`` open an MCP session and call a tool (every fifth ``lab_trend``, which draws
a chart). ``STEADY_CLIENTS`` more cycle through the facade mix all along, and another thread syncs the
same store from the sandbox portal again and again (full syncs, so every round rewrites).

After each burst has ended the process's open fds and RSS are sampled. Per minute the report gives
requests, errors, p95 latency (facade and MCP), fds and RSS. The verdict is a slope, not a fixed
number: a least-squares line through the samples after warm-up (the first fifth of the run, at least
a minute) must not rise by more than ``max(floor, 10 % of the mean)`` over the span, for fds and for
RSS. Everything runs in one process, so fds and RSS cover servers, sync and clients together.
Prints Markdown for docs/benchmarks.md; exits 1 when a resource keeps growing or a request failed.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import sys
import tempfile
import threading
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from fhirgate.kaiser_source import in_process_kaiser_client
from fhirgate.serving import free_port, serve_in_thread
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from mcp_server import RecordSource, SourceRegistry, build_server
from mcp_server.sources.surface_status import kaiser_status_probe
from mcp_server.transport.http import http_app
from tests.sync.portal_harness import Portal, make_portal

SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
WARM_UP = max(60.0, SECONDS / 5)
BURST_EVERY = 10.0
BURST_CLIENTS = 50
MCP_CLIENTS = 10
STEADY_CLIENTS = 4
REQUESTS_PER_BURST_CLIENT = 3
GROWTH_SHARE = 0.10
FD_FLOOR = 16
RSS_FLOOR_MB = 20
TOKEN = "soak-token-0123456789abcdef"
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


KINDS = ("facade", "mcp")


@dataclass
class Samples:
    """Requests (seconds since start, latency, 2xx/ok, "facade" or "mcp") and resources after each burst.

    Requests are kept in typed arrays (~18 bytes each): the process measures its own RSS, and a tuple
    per request (~120 bytes) made ~20 MB of the growth in a one-hour run."""

    at: array[float] = field(default_factory=lambda: array("d"))
    latency: array[float] = field(default_factory=lambda: array("d"))
    ok: array[int] = field(default_factory=lambda: array("b"))
    kind: array[int] = field(default_factory=lambda: array("b"))
    resources: list[tuple[float, int, int]] = field(default_factory=list)  # (at, open fds, RSS kB)
    syncs: int = 0
    sync_failures: int = 0

    def add(self, at: float, latency: float, ok: bool, kind: str) -> None:
        self.at.append(at)
        self.latency.append(latency)
        self.ok.append(ok)
        self.kind.append(KINDS.index(kind))

    @property
    def rows(self) -> list[tuple[float, float, bool, str]]:
        return [
            (at, latency, bool(ok), KINDS[kind])
            for at, latency, ok, kind in zip(self.at, self.latency, self.ok, self.kind, strict=True)
        ]


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def p95(latencies: Sequence[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def growth(points: Sequence[tuple[float, float]]) -> float:
    """Rise of the least-squares line through ``points`` over their time span (0 for fewer than 3)."""
    if len(points) < 3:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    slope = sum((t - mean_t) * (v - mean_v) for t, v in points) / spread
    return slope * (points[-1][0] - points[0][0])


def keeps_growing(points: Sequence[tuple[float, float]], floor: float) -> tuple[bool, float, float]:
    """(too much growth?, the growth, the allowance) for samples after warm-up."""
    allowance = max(floor, GROWTH_SHARE * (sum(v for _, v in points) / len(points))) if points else floor
    rise = growth(points)
    return rise > allowance, rise, allowance


def sync_again_and_again(portal: Portal, store: SqliteStore, stop: threading.Event, samples: Samples) -> None:
    async def loop() -> None:
        async with await portal.client() as client:
            while not stop.is_set():
                report = await SyncEngine(client, store, clock=portal.clock).run(full=True)
                samples.syncs += 1
                samples.sync_failures += not report.ok

    asyncio.run(loop())


class Load:
    def __init__(self, facade_url: str, mcp_url: str, patient: str, samples: Samples) -> None:
        self.facade_url = facade_url
        self.mcp_url = mcp_url
        self.paths = itertools.cycle(path.format(patient=patient) for path in MIX)
        self.samples = samples
        self.started = time.perf_counter()
        self.headers = {"Authorization": f"Bearer {TOKEN}"}

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    async def facade_requests(self, count: int | None) -> None:
        async with httpx2.AsyncClient(base_url=self.facade_url, headers=self.headers, timeout=60) as http:
            for _ in itertools.count() if count is None else range(count):
                if self.elapsed() >= SECONDS:
                    return
                at = self.elapsed()
                try:
                    ok = (await http.get(next(self.paths))).is_success
                except httpx2.HTTPError:
                    ok = False
                self.samples.add(at, self.elapsed() - at, ok, "facade")

    async def mcp_session(self, index: int) -> None:
        tool, arguments = (
            ("lab_trend", {"code_or_name": "2823-3"})
            if index % 5 == 0
            else ("search_observation", {"max_tokens": 2000})
        )
        at = self.elapsed()
        try:
            async with (
                httpx2.AsyncClient(headers=self.headers, timeout=60) as http,
                Client(streamable_http_client(self.mcp_url, http_client=http)) as client,
            ):
                ok = not (await client.call_tool(tool, arguments)).is_error
        except Exception:  # a soak counts failures; any exception is one
            ok = False
        self.samples.add(at, self.elapsed() - at, ok, "mcp")

    async def bursts(self) -> None:
        while self.elapsed() < SECONDS:
            next_burst = self.elapsed() + BURST_EVERY
            facade = (self.facade_requests(REQUESTS_PER_BURST_CLIENT) for _ in range(BURST_CLIENTS - MCP_CLIENTS))
            await asyncio.gather(*facade, *(self.mcp_session(i) for i in range(MCP_CLIENTS)))
            await asyncio.sleep(0.5)  # connections the burst closed are gone from /proc
            self.samples.resources.append((self.elapsed(), open_fds(), rss_kb()))
            await asyncio.sleep(max(0.0, next_burst - self.elapsed()))

    async def run(self) -> None:
        await asyncio.gather(self.bursts(), *(self.facade_requests(None) for _ in range(STEADY_CLIENTS)))


def per_period(samples: Samples, minutes: int) -> list[str]:
    """One row per ``minutes``: requests, errors, p95 (facade, MCP), and fds and RSS after its last burst."""
    period = minutes * 60
    label = "minute" if minutes == 1 else f"{minutes} minutes"
    lines = [
        f"| {label} | requests | errors | p95 facade | p95 MCP | open fds | RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    every = samples.rows
    for index in range(int((SECONDS + period - 1) // period)):
        rows = [r for r in every if index * period <= r[0] < (index + 1) * period]
        resources = [r for r in samples.resources if index * period <= r[0] < (index + 1) * period]
        if not rows:
            continue
        facade = [latency for _, latency, _, kind in rows if kind == "facade"]
        mcp = [latency for _, latency, _, kind in rows if kind == "mcp"]
        errors = sum(1 for _, _, ok, _ in rows if not ok)
        fds = f"{resources[-1][1]}" if resources else "-"
        rss = f"{resources[-1][2] / 1024:.0f} MB" if resources else "-"
        when = str(index + 1) if minutes == 1 else f"{index * minutes}-{(index + 1) * minutes}"
        lines.append(
            f"| {when} | {len(rows):,} | {errors} | {p95(facade) * 1000:.0f} ms | {p95(mcp) * 1000:.0f} ms"
            f" | {fds} | {rss} |"
        )
    return lines


def verdict(samples: Samples) -> tuple[bool, list[str]]:
    warm = [r for r in samples.resources if r[0] >= WARM_UP]
    fds_growing, fds_rise, fds_allowed = keeps_growing([(t, float(fds)) for t, fds, _ in warm], FD_FLOOR)
    rss_growing, rss_rise, rss_allowed = keeps_growing([(t, kb / 1024) for t, _, kb in warm], RSS_FLOOR_MB)
    errors = sum(1 for ok in samples.ok if not ok)
    mcp = samples.kind.count(KINDS.index("mcp"))
    lines = [
        f"Requests: {len(samples.at):,} ({mcp:,} MCP sessions), errors {errors}; "
        f"full syncs {samples.syncs} (failed {samples.sync_failures}).",
        f"After warm-up ({WARM_UP:.0f} s, {len(warm)} samples): open fds rose {fds_rise:+.1f} "
        f"(allowed {fds_allowed:.1f}), RSS {rss_rise:+.1f} MB (allowed {rss_allowed:.1f} MB).",
    ]
    failed = fds_growing or rss_growing or errors > 0 or len(warm) < 3
    lines.append(
        "FAIL: "
        + ", ".join(
            what
            for what, bad in (
                ("open fds keep growing", fds_growing),
                ("RSS keeps growing", rss_growing),
                (f"{errors} requests failed", errors > 0),
                ("too few samples after warm-up (raise SOAK_SECONDS)", len(warm) < 3),
            )
            if bad
        )
        if failed
        else "PASS: fds and RSS flat after warm-up, no failed request."
    )
    return not failed, lines


def main() -> int:
    logging.disable(logging.INFO)  # the per-surface and per-session INFO lines would bury the report
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
        kaiser = RecordSource(
            "kaiser", in_process_kaiser_client(store), kind="kaiser", status=kaiser_status_probe(store.surface_states)
        )
        registry = SourceRegistry({"kaiser": kaiser})
        mcp_port = free_port()
        mcp_app = http_app(build_server(registry), token=TOKEN, port=mcp_port)
        stop = threading.Event()
        syncing = threading.Thread(target=sync_again_and_again, args=(portal, store, stop, samples), daemon=True)
        with (
            serve_in_thread(create_facade_app(store, FacadeSettings(token=TOKEN))) as facade,
            serve_in_thread(mcp_app, port=mcp_port, lifespan="on") as mcp,
        ):
            syncing.start()
            asyncio.run(Load(facade.base_url, f"{mcp.base_url}/mcp", patient, samples).run())
            stop.set()
            syncing.join()
        asyncio.run(registry.aclose())
        store.close()
    passed, summary = verdict(samples)
    load = os.getloadavg()
    header = (
        f"Soak of {SECONDS:.0f} s: bursts of {BURST_CLIENTS} clients ({MCP_CLIENTS} MCP sessions) every "
        f"{BURST_EVERY:.0f} s, {STEADY_CLIENTS} steady facade clients, full syncs back to back; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)."
    )
    tables = [*per_period(samples, 1), ""]
    if SECONDS >= 1200:  # long runs: per 10 minutes too, as the closing note reports them
        tables += [*per_period(samples, 10), ""]
    print("\n".join([header, "", *tables, *summary]))  # a benchmark script: its table is its output
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
