"""Facade benchmark (``make bench``; never part of ``make test``): a synthetic record of >= 50,000 resources.

Serves the facade under uvicorn on loopback (in a process of its own) next to the floor (a bare starlette
endpoint over the same store file: tests/benchmarks/facade_floor.py) and measures, for a fixed request
mix at concurrency 1 and 8, p50/p95/p99 latency, requests per second and the server's CPU per request
over real HTTP; ``$everything`` also by time to first byte. Facade and floor are measured interleaved,
``REPEATS`` times, and each figure is the median over the repeats, so a noisy machine slows both alike.
Every answer's bytes are hashed and compared with ``facade_answers.json`` (recorded with
``--record-answers``): what the facade answers must not change while it gets faster.
Prints the table and rewrites the facade section of docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import json
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
from tests.benchmarks.facade_floor import FLOOR_READ, FLOOR_SEARCH, serve_floor

RESOURCES = 50_000
BUILT_AT = datetime(2026, 1, 1, tzinfo=UTC)  # a fixed write time, so stored meta (and so the answers) repeat
REQUESTS = {1: 200, 8: 400}  # requests per measurement, by concurrency
REPEATS = 5  # interleaved facade/floor measurements per row; the table shows medians
QUIET_LOAD_PER_CPU = 0.5  # measuring waits (up to QUIET_WAIT_S) for the 1-minute load average to fall below this
QUIET_WAIT_S = float(os.environ.get("FHIRGATE_BENCH_QUIET_WAIT_S", "240"))  # 0 for development runs
TOKEN = "bench-token"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
ANSWERS = Path(__file__).with_name("facade_answers.json")
ANSWER_SAMPLES = 20  # requests per row whose bodies are hashed (read by id: 20 different ids)
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
FLOOR_SEARCH_ROW = "floor: date-range search"
FLOOR_READ_ROW = "floor: read by id"
FLOOR: dict[str, str] = {FLOOR_SEARCH_ROW: FLOOR_SEARCH, FLOOR_READ_ROW: FLOOR_READ.replace("{id}", "obs-{n}")}
FLOOR_OF = {kind: FLOOR_READ_ROW if kind == "read by id" else FLOOR_SEARCH_ROW for kind in MIX}

Results = dict[tuple[str, int], dict[str, float]]


def _build(path: Path) -> float:
    store = SqliteStore.open(path)
    started = time.perf_counter()
    try:
        for surface, resources in surfaces(RESOURCES):
            store.write_surface(surface, resources, now=BUILT_AT)
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


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and its live children (uvicorn's worker processes, when it runs several)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return _cpu_seconds(pid) + sum(_tree_cpu_seconds(int(kid)) for kid in kids)


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

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        _ = list(pool.map(one, range(2 * concurrency)))  # warm-up: caches, one connection per client thread
        cpu_before = _tree_cpu_seconds(server_pid)
        started = time.perf_counter()
        timings = list(pool.map(one, range(REQUESTS[concurrency])))
        wall = time.perf_counter() - started
        cpu = _tree_cpu_seconds(server_pid) - cpu_before
    totals = [t for t, _ in timings]
    return {
        "p50": _percentile(totals, 0.50) * 1000,
        "p95": _percentile(totals, 0.95) * 1000,
        "p99": _percentile(totals, 0.99) * 1000,
        "ttfb_p95": _percentile([f for _, f in timings], 0.95) * 1000,
        "rps": len(timings) / wall,
        "cpu": cpu / len(timings) * 1000,
        "mean": statistics.fmean(totals) * 1000,
    }


def _median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def _answer_digests(base: str) -> dict[str, str]:
    """Per row: SHA-256 over the SHA-256 of each sampled answer's body (the server's address masked)."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/fhir+json"}
    digests: dict[str, str] = {}
    with httpx2.Client(base_url=base, headers=headers, timeout=30) as client:
        for kind, url in MIX.items():
            row = hashlib.sha256()
            for n in range(ANSWER_SAMPLES):
                body = client.get(url.format(n=n * 7919 % 40_000)).content.replace(base.encode(), b"BASE")
                row.update(hashlib.sha256(body).digest())
            digests[kind] = row.hexdigest()
    return digests


def _wait_for_quiet() -> float:
    """Seconds spent waiting for other work on the machine to calm down (latency percentiles are its hostage)."""
    started = time.monotonic()
    limit = QUIET_LOAD_PER_CPU * (os.cpu_count() or 1)
    while os.getloadavg()[0] > limit and time.monotonic() - started < QUIET_WAIT_S:
        time.sleep(5)
    return time.monotonic() - started


def _table(results: Results) -> str:
    lines = [
        "| request | concurrency | p50 ms | p95 ms | p99 ms | first byte p95 ms | req/s | server CPU ms/req"
        " | floor req/s | floor CPU ms/req | share of floor req/s | share of floor CPU |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (kind, concurrency), m in results.items():
        if kind not in MIX:
            continue
        floor = results[(FLOOR_OF[kind], concurrency)]
        lines.append(
            f"| {kind} | {concurrency} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | {m['ttfb_p95']:.1f}"
            f" | {m['rps']:.0f} | {m['cpu']:.2f} | {floor['rps']:.0f} | {floor['cpu']:.2f}"
            f" | {m['rps'] / floor['rps']:.0%} | {floor['cpu'] / m['cpu']:.0%} |"
        )
    for kind in FLOOR:
        for concurrency in REQUESTS:
            m = results[(kind, concurrency)]
            lines.append(
                f"| {kind} | {concurrency} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | {m['ttfb_p95']:.1f}"
                f" | {m['rps']:.0f} | {m['cpu']:.2f} | | | | |"
            )
    return "\n".join(lines)


def _scaling(results: Results) -> str:
    """Concurrency 8 against 1 per facade row: req/s gained and p95 grown."""
    lines = ["| request | req/s at 8 / at 1 | p95 at 8 / at 1 |", "|---|---|---|"]
    for kind in MIX:
        one, eight = results[(kind, 1)], results[(kind, 8)]
        lines.append(f"| {kind} | {eight['rps'] / one['rps']:.2f} | {eight['p95'] / one['p95']:.1f} |")
    return "\n".join(lines)


def _write_docs(table: str, scaling: str, *, size_mb: float, build_s: float, load: str, identical: str) -> None:
    section = (
        f"{SECTION}\n\n`make bench` (tests/benchmarks/bench_facade.py): {RESOURCES:,} synthetic resources for one"
        f" patient (tests/benchmarks/facade_corpus.py), store {size_mb:.1f} MB on disk"
        + (f" (built in {build_s:.0f} s)," if build_s else ",")
        + " facade under uvicorn on loopback in its own process, httpx2 clients,"
        f" {REQUESTS[1]} requests per row at concurrency 1 and {REQUESTS[8]} at 8, each row measured {REPEATS}"
        " times interleaved with the floor (medians shown)."
        f" Machine load while measuring: {load}."
        " The floor (tests/benchmarks/facade_floor.py) is a bare starlette endpoint in a process of its own over"
        " the same store file: the category+date search as one fixed SQL statement, its stored JSON concatenated"
        " into a 50-entry Bundle, and the read by id; no parsing, no models, no middleware. Each facade row is"
        " set against the floor's read (read by id) or its search (every other row)."
        " Target: p95 <= 10 ms for searches of <= 50 entries at concurrency 1; `$everything` first byte <= 50 ms;"
        " at concurrency 1, >= 50 % of the floor's req/s for the 50-entry searches and the read, >= 35 % for"
        " `$everything`."
        " Server CPU ms/req is the server process's CPU time per request (its workers' included): unlike the"
        " latencies, it does not grow while the request waits for a CPU that other work on the machine holds,"
        " so the share of the floor's CPU is the steadier measure on a busy machine.\n\n"
        f"{table}\n\nConcurrency 8 against 1 (targets: req/s >= 1.5x for searches, p95 <= 5x):\n\n{scaling}\n\n"
        f"Answers identical to the recorded ones (tests/benchmarks/facade_answers.json, SHA-256 of every sampled"
        f" answer's bytes): {identical}.\n"
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


def _wait_until_serving(url: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("a benchmark server exited before serving")
        try:
            httpx2.get(url, timeout=1, headers={"Authorization": f"Bearer {TOKEN}"}).raise_for_status()
            return
        except httpx2.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("a benchmark server did not start serving")


def _start(mode: str, path: Path, probe: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    command = [sys.executable, "-m", "tests.benchmarks.bench_facade", mode, str(path), str(port)]
    server = subprocess.Popen(command)  # noqa: S603 (our own interpreter and module)
    try:
        _wait_until_serving(base + probe, server)
    except BaseException:
        server.terminate()
        server.wait(timeout=30)
        raise
    return server, base


def _serve_and_measure(path: Path) -> tuple[Results, dict[str, str]]:
    facade, facade_base = _start("--serve", path, "/fhir/metadata")
    try:
        floor, floor_base = _start("--serve-floor", path, FLOOR_SEARCH)
        try:
            digests = _answer_digests(facade_base)
            runs: dict[tuple[str, int], list[dict[str, float]]] = {}
            for concurrency in REQUESTS:
                for _ in range(REPEATS):
                    for kind, url in FLOOR.items():
                        runs.setdefault((kind, concurrency), []).append(
                            _measure(floor_base, url, concurrency, floor.pid)
                        )
                    for kind, url in MIX.items():
                        runs.setdefault((kind, concurrency), []).append(
                            _measure(facade_base, url, concurrency, facade.pid)
                        )
            return {key: _median_of(found) for key, found in runs.items()}, digests
        finally:
            floor.terminate()
            floor.wait(timeout=30)
    finally:
        facade.terminate()
        facade.wait(timeout=30)


def _compare_answers(digests: dict[str, str], *, record: bool) -> str:
    if record:
        ANSWERS.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
        return "recorded"
    expected = json.loads(ANSWERS.read_text()) if ANSWERS.exists() else {}
    differing = [kind for kind in MIX if expected.get(kind) != digests[kind]]
    return "yes" if not differing else "no (" + ", ".join(differing) + ")"


def main(argv: list[str] | None = None, *, write: Callable[[str], object] = sys.stdout.write) -> None:
    """Build the store (or reuse ``FHIRGATE_BENCH_STORE``), serve it, measure the mix at concurrency 1 and 8.

    ``--record-answers`` records the answers' digests as the expected ones instead of comparing with them.
    """
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--serve"]:
        _serve(Path(args[1]), int(args[2]))
        return
    if args[:1] == ["--serve-floor"]:
        serve_floor(Path(args[1]), int(args[2]))
        return
    with tempfile.TemporaryDirectory() as home:
        reuse = os.environ.get("FHIRGATE_BENCH_STORE")
        path = Path(reuse) if reuse else Path(home) / "store.sqlite3"
        build_s = 0.0 if path.exists() else _build(path)
        size_mb = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
        waited = _wait_for_quiet()
        before = os.getloadavg()[0]
        results, digests = _serve_and_measure(path)
        load = (
            f"1-minute load average {before:.1f} before (after waiting {waited:.0f} s for a quieter machine),"
            f" {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs"
        )
    identical = _compare_answers(digests, record="--record-answers" in args)
    table, scaling = _table(results), _scaling(results)
    write(
        f"store: {RESOURCES:,} resources, {size_mb:.1f} MB, built in {build_s:.1f} s; {load}\n{table}\n{scaling}\n"
        f"answers identical: {identical}\n"
    )
    _write_docs(table, scaling, size_mb=size_mb, build_s=build_s, load=load, identical=identical)


if __name__ == "__main__":
    main()
