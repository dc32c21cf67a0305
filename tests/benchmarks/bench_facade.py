"""Facade benchmark (``make bench``; never part of ``make test``): a synthetic record of >= 50,000 resources.

Serves the facade under uvicorn on loopback (in a process of its own) and measures, for a fixed request mix
at concurrency 1 and 8, p50/p95/p99 latency and requests per second over real HTTP; ``$everything`` also by
time to first byte.
Prints the table and rewrites the facade section of docs/benchmarks.md.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import uvicorn

from fhirgate.serving import LOOPBACK, free_port
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from tests.benchmarks.facade_corpus import PATIENT_ID, surfaces

RESOURCES = 50_000
ROUNDS = 40  # requests per kind and concurrency level
QUIET_LOAD_PER_CPU = 0.5  # measuring waits (up to QUIET_WAIT_S) for the 1-minute load average to fall below this
QUIET_WAIT_S = 240.0
TOKEN = "bench-token"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTION = "## FHIR facade (synthetic record, 50,000 resources)"

MIX: dict[str, str] = {
    "Observation category+date+_sort": f"/fhir/Observation?patient={PATIENT_ID}&category=laboratory"
    "&date=ge2020-01-01&_sort=-date&_count=50",
    "Observation by code": "/fhir/Observation?code=http://loinc.org|1007-7&_count=50",
    "MedicationRequest _include": f"/fhir/MedicationRequest?patient={PATIENT_ID}&status=active"
    "&_include=MedicationRequest:medication&_count=50",
    "$everything first page": f"/fhir/Patient/{PATIENT_ID}/$everything?_count=50",
    "read by id": "/fhir/Observation/obs-{n}",
}


def _build(path: Path) -> float:
    store = SqliteStore.open(path)
    started = time.perf_counter()
    try:
        for surface, resources in surfaces(RESOURCES):
            store.write_surface(surface, resources, now=datetime.now(UTC))
    finally:
        store.close()
    return time.perf_counter() - started


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(base: str, url: str, concurrency: int, server_pid: int) -> dict[str, float]:
    local = threading.local()
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/fhir+json"}

    def one(n: int) -> tuple[float, float]:
        client: httpx2.Client | None = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx2.Client(base_url=base, headers=headers, timeout=30)
        started = time.perf_counter()
        with client.stream("GET", url.format(n=n * 7919 % 40_000)) as response:
            first = None
            for _ in response.iter_bytes():
                first = first or time.perf_counter()
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
        done = time.perf_counter()
        return done - started, (first or done) - started

    _ = [one(n) for n in range(3)]  # warm-up: caches, connections
    cpu_before = _cpu_seconds(server_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        timings = list(pool.map(one, range(ROUNDS * concurrency)))
    wall = time.perf_counter() - started
    totals = [t for t, _ in timings]
    return {
        "p50": _percentile(totals, 0.50) * 1000,
        "p95": _percentile(totals, 0.95) * 1000,
        "p99": _percentile(totals, 0.99) * 1000,
        "ttfb_p95": _percentile([f for _, f in timings], 0.95) * 1000,
        "rps": len(timings) / wall,
        "cpu": (_cpu_seconds(server_pid) - cpu_before) / len(timings) * 1000,
        "mean": statistics.fmean(totals) * 1000,
    }


def _wait_for_quiet() -> float:
    """Seconds spent waiting for other work on the machine to calm down (latency percentiles are its hostage)."""
    started = time.monotonic()
    limit = QUIET_LOAD_PER_CPU * (os.cpu_count() or 1)
    while os.getloadavg()[0] > limit and time.monotonic() - started < QUIET_WAIT_S:
        time.sleep(5)
    return time.monotonic() - started


def _table(results: dict[tuple[str, int], dict[str, float]]) -> str:
    lines = [
        "| request | concurrency | p50 ms | p95 ms | p99 ms | first byte p95 ms | req/s | server CPU ms/req |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (kind, concurrency), m in results.items():
        lines.append(
            f"| {kind} | {concurrency} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | {m['ttfb_p95']:.1f}"
            f" | {m['rps']:.0f} | {m['cpu']:.1f} |"
        )
    return "\n".join(lines)


def _write_docs(table: str, *, size_mb: float, build_s: float, load: str) -> None:
    section = (
        f"{SECTION}\n\n`make bench` (tests/benchmarks/bench_facade.py): {RESOURCES:,} synthetic resources for one"
        f" patient (tests/benchmarks/facade_corpus.py), store {size_mb:.1f} MB on disk"
        + (f" (built in {build_s:.0f} s)," if build_s else ",")
        + " facade under uvicorn on loopback in its own process, httpx2 clients,"
        f" {ROUNDS} requests per client thread and row."
        f" Machine load while measuring: {load}."
        " Target: p95 <= 10 ms for searches of <= 50 entries at concurrency 1; `$everything` first byte <= 50 ms."
        " Server CPU ms/req is the facade process's CPU time per request: unlike the latencies, it does not grow"
        " while the request waits for a CPU that other work on the machine holds.\n\n"
        f"{table}\n"
    )
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
    text = (
        pattern.sub(lambda _: section.rstrip("\n") + "\n", text)  # a blank line before the next section
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    DOCS.write_text(text.rstrip("\n") + "\n")


def _serve(path: Path, port: int) -> None:
    """The server side, run in its own process (``--serve``) so it never waits on the clients' GIL."""
    store = SqliteStore.open(path)
    try:
        uvicorn.run(
            create_facade_app(store, FacadeSettings(token=TOKEN, port=port)),
            host=LOOPBACK,
            port=port,
            log_level="warning",
        )
    finally:
        store.close()


def _wait_until_serving(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("the facade process exited before serving")
        try:
            httpx2.get(f"{base}/fhir/metadata", timeout=1).raise_for_status()
            return
        except httpx2.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the facade process did not start serving")


def _serve_and_measure(path: Path) -> dict[tuple[str, int], dict[str, float]]:
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    command = [sys.executable, "-m", "tests.benchmarks.bench_facade", "--serve", str(path), str(port)]
    server = subprocess.Popen(command)  # noqa: S603 (our own interpreter and module)
    try:
        _wait_until_serving(base, server)
        return {
            (kind, concurrency): _measure(base, url, concurrency, server.pid)
            for concurrency in (1, 8)
            for kind, url in MIX.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None, *, write: Callable[[str], object] = sys.stdout.write) -> None:
    """Build the store (or reuse ``FHIRGATE_BENCH_STORE``), serve it, measure the mix at concurrency 1 and 8."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--serve"]:
        _serve(Path(args[1]), int(args[2]))
        return
    with tempfile.TemporaryDirectory() as home:
        reuse = os.environ.get("FHIRGATE_BENCH_STORE")
        path = Path(reuse) if reuse else Path(home) / "store.sqlite3"
        build_s = 0.0 if path.exists() else _build(path)
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
        waited = _wait_for_quiet()
        before = os.getloadavg()[0]
        results = _serve_and_measure(path)
        load = (
            f"1-minute load average {before:.1f} before (after waiting {waited:.0f} s for a quieter machine),"
            f" {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs"
        )
    table = _table(results)
    write(f"store: {RESOURCES:,} resources, {size_mb:.1f} MB, built in {build_s:.1f} s; {load}\n{table}\n")
    _write_docs(table, size_mb=size_mb, build_s=build_s, load=load)


if __name__ == "__main__":
    main()
