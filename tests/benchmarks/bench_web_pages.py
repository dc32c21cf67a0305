"""Web app pages benchmark (run once by hand or by ``make bench``; never part of ``make test``): the
``large`` sandbox patient synced into a store (every surface), the web app served under uvicorn on loopback,
and each record page fetched ``ROUNDS`` times over real HTTP, signed in. Prints p50/p95 per page and
rewrites the web pages section of docs/benchmarks.md. The labs page's first load draws its charts
(matplotlib, cached afterwards): it is reported on its own line."""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx2

from gateway.store import SqliteStore
from tests.web.record_site import record_site, synced_store
from tests.web.test_record_pages_browser import PAGES

ROUNDS = 20
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTION = "## Web app pages (large patient, served from the store)"


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _measure(store: SqliteStore, home: Path) -> tuple[list[str], float]:
    rows = []
    with record_site(home, store) as site, httpx2.Client(base_url=site.base_url, timeout=60) as http:
        signed_in = http.get(f"/login?token={site.sessions.new_login_link_token()}")
        assert signed_in.status_code == 303, signed_in.status_code
        http.cookies = signed_in.cookies
        started = time.perf_counter()
        first = http.get("/labs")
        cold_labs = time.perf_counter() - started
        assert first.status_code == 200
        for path in PAGES:
            samples = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                answer = http.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            size_kb = len(answer.content) / 1024
            p50, p95 = statistics.median(samples), _percentile(samples, 0.95)
            rows.append(f"| `{path}` | {p50:.0f} | {p95:.0f} | {size_kb:.0f} |")
    return rows, cold_labs


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        started = time.perf_counter()
        store = synced_store(home, size="large")
        sync_s = time.perf_counter() - started
        try:
            rows, cold_labs = _measure(store, home)
        finally:
            store.close()
    table = "\n".join(["| page | p50 ms | p95 ms | KB |", "|---|---:|---:|---:|", *rows])
    text = (
        f"{SECTION}\n\n`python -m tests.benchmarks.bench_web_pages`: the `large` sandbox patient synced into a"
        f" store ({sync_s:.0f} s), each page fetched {ROUNDS} times over loopback HTTP by a signed-in client"
        f" (one at a time). The first `/labs` load, drawing 8 charts with matplotlib, took {cold_labs:.2f} s;"
        f" charts are cached after that.\n\n{table}\n"
    )
    print(text)
    current = DOCS.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
    updated = (
        pattern.sub(lambda _: text.rstrip("\n") + "\n", current)
        if pattern.search(current)
        else current.rstrip("\n") + "\n\n" + text
    )
    DOCS.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
