"""Web app pages benchmark (run once by hand or by ``make bench``; never part of ``make test``): the
``large`` sandbox patient synced into a store (every surface) from the sandbox portal on loopback, the web
app served under uvicorn on loopback with its real "Sync now", one sync-now run to its end (timed: the
progress page then lists every surface), and each page fetched ``ROUNDS`` times over real HTTP, signed in:
every record page, one report, thread, document and FHIR JSON view, the approvals page and the sync
progress page. Prints p50/p95 per page and rewrites the web pages section of docs/benchmarks.md. The labs
page's first load draws its charts (matplotlib, cached afterwards): it is reported on its own line.
Practices are read live, not from the store: their latency is the practice's, and is not measured here."""

from __future__ import annotations

import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx2

from fhirgate.serving import serve_in_thread
from fhirgate.sync_now_launcher import HomeSyncLauncher
from gateway.store import SqliteStore
from tests.sync.portal_harness import make_portal
from tests.web.record_site import record_site, sync_every_surface
from tests.web.test_record_pages_browser import PAGES

ROUNDS = 20
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTION = "## Web app pages (large patient, served from the store)"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
FIRST_LINKS = (
    ("/timeline?type=result", "/labs/reports/"),
    ("/messages", "/messages/"),
    ("/documents", "/documents/"),
    ("/record/medications", "/resource/MedicationRequest/"),
)
"""Where the pages of one fact are found: a listing and the prefix of its first link."""


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _first_link(http: httpx2.Client, listing: str, prefix: str) -> str:
    found = re.search(rf'href="({re.escape(prefix)}[^"]+)"', http.get(listing).text)
    assert found is not None, (listing, prefix)
    return found.group(1).replace("&amp;", "&")


def _sync_now(http: httpx2.Client) -> float:
    """One sync-now run, POST to "Sync done"; its seconds."""
    token = CSRF.search(http.get("/overview").text)
    assert token is not None
    started = time.perf_counter()
    assert http.post("/sync", data={"csrf": token.group(1)}).status_code == 303
    while 'http-equiv="refresh"' in (page := http.get("/sync").text):
        time.sleep(0.5)
    assert "Sync done" in page, page[-2000:]
    return time.perf_counter() - started


def _measure(store: SqliteStore, home: Path, launcher: HomeSyncLauncher) -> tuple[list[str], float, float]:
    rows = []
    with record_site(home, store, sync_now=launcher) as site, httpx2.Client(base_url=site.base_url, timeout=60) as http:
        signed_in = http.get(f"/login?token={site.sessions.new_login_link_token()}")
        assert signed_in.status_code == 303, signed_in.status_code
        http.cookies = signed_in.cookies
        started = time.perf_counter()
        first = http.get("/labs")
        cold_labs = time.perf_counter() - started
        assert first.status_code == 200
        sync_now_s = _sync_now(http)
        paths = [(path, path) for path in [*PAGES, "/approvals", "/sync"]]
        paths += [(prefix + "{id}", _first_link(http, listing, prefix)) for listing, prefix in FIRST_LINKS]
        for shown, path in paths:
            samples = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                answer = http.get(path)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.status_code == 200, (path, answer.status_code)
            size_kb = len(answer.content) / 1024
            p50, p95 = statistics.median(samples), _percentile(samples, 0.95)
            rows.append(f"| `{shown}` | {p50:.0f} | {p95:.0f} | {size_kb:.0f} |")
    return rows, cold_labs, sync_now_s


def main() -> None:
    portal = make_portal(size="large")
    portal.config.pdf_generating_calls = 0
    with tempfile.TemporaryDirectory() as scratch, serve_in_thread(portal.app) as served:
        portal.served_at = served.base_url
        home = Path(scratch)
        store = SqliteStore.open(home / "store.sqlite3")
        started = time.perf_counter()
        asyncio.run(sync_every_surface(portal, store))
        sync_s = time.perf_counter() - started
        launcher = HomeSyncLauncher(
            home=home, store_path=home / "store.sqlite3", open_portal=portal.client, signed_in=lambda: True
        )
        try:
            rows, cold_labs, sync_now_s = _measure(store, home, launcher)
        finally:
            store.close()
    table = "\n".join(["| page | p50 ms | p95 ms | KB |", "|---|---:|---:|---:|", *rows])
    text = (
        f"{SECTION}\n\n`python -m tests.benchmarks.bench_web_pages`: the `large` sandbox patient synced into a"
        f" store from the sandbox portal on loopback (two syncs, {sync_s:.0f} s), each page fetched {ROUNDS} times"
        f" over loopback HTTP by a signed-in client (one at a time). The first `/labs` load, drawing 8 charts with"
        f' matplotlib, took {cold_labs:.2f} s; charts are cached after that. One "Sync now" from the page (every'
        f' surface, the store already synced) took {sync_now_s:.1f} s from the POST to "Sync done"; `/sync` is'
        f" its progress page afterwards. Practices are read live (their latency is theirs) and are not measured."
        f"\n\n{table}\n"
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
