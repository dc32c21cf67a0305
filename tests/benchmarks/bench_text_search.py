"""Text-search benchmark (``make bench``; never part of ``make test``): ``_content`` on the large patient.

Translates every surface of the sandbox's large patient (messages, visit notes and summaries, results, ...)
as the conformance suite does, writes them to a fresh store, and measures ``_content`` searches through
the facade app (in-process ASGI, so HTTP parsing and Bundle building count, the network does not): p50/p95
per resource type over a fixed word list, plus the index's size (the store file with and without it).
Prints the table and rewrites the text-search section of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from starlette.testclient import TestClient

from conformance.surfaces import translate_patient
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from sandbox.patient import generate_patient

SEED = 11
ROUNDS = 5
TOKEN = "bench-token"
TYPES = ("Communication", "DocumentReference", "DiagnosticReport", "Observation")
QUERIES = (
    "knee",
    "pain",
    "potassium",
    '"please recheck"',
    "metabolic panel",
    "negative",
    "lipid OR a1c",
    "diabet*",
    "chest NOT cough",
    "refill appointment",
)
DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
SECTION = "## Text search (large patient, _content)"


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _size_without_index(path: Path) -> int:
    copy = path.with_name("without-index.db")
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM INTO ?", (str(copy),))
    conn.close()
    with sqlite3.connect(copy) as conn:
        conn.execute("DROP TABLE text_index")
        conn.execute("DELETE FROM search_index WHERE param IN ('_content', '_text')")
    conn.execute("VACUUM")
    conn.close()
    return copy.stat().st_size


def _vacuumed_size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("VACUUM")
    conn.close()
    return path.stat().st_size


def main() -> int:
    started = time.perf_counter()
    run = translate_patient(generate_patient(SEED, "large"))
    translated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.db"
        store = SqliteStore.open(path)
        started = time.perf_counter()
        for surface, units in run.units.items():
            resources = [r for unit in units for r in unit.result.resources]
            store.write_surface(surface, resources, now=datetime.now(UTC))
        written = time.perf_counter() - started
        with sqlite3.connect(path) as conn:
            per_type = dict(
                conn.execute(
                    "SELECT r.resource_type, COUNT(*) FROM text_index t JOIN resources r ON r.rowid = t.rowid"
                    " GROUP BY r.resource_type"
                ).fetchall()
            )
        conn.close()
        timings: dict[str, list[float]] = {t: [] for t in TYPES}
        hits: dict[str, int] = {t: 0 for t in TYPES}
        with TestClient(create_facade_app(store, FacadeSettings(token=TOKEN)), base_url="http://127.0.0.1") as client:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            for round_number in range(ROUNDS):
                for query in QUERIES:
                    for resource_type in TYPES:
                        began = time.perf_counter()
                        response = client.get(
                            f"/fhir/{resource_type}", params={"_content": query, "_count": "50"}, headers=headers
                        )
                        timings[resource_type].append(time.perf_counter() - began)
                        if response.status_code != 200:
                            print(f"{resource_type} {query}: HTTP {response.status_code}", file=sys.stderr)
                            return 1
                        if round_number == 0:
                            hits[resource_type] += sum(
                                1 for e in response.json().get("entry", []) if e["search"]["mode"] == "match"
                            )
        store.close()
        full = _vacuumed_size(path)
        bare = _size_without_index(path)
    rows = [
        f"| {t} | {per_type.get(t, 0):,} | {hits[t]:,} | {statistics.median(timings[t]) * 1000:.1f} |"
        f" {_percentile(timings[t], 0.95) * 1000:.1f} |"
        for t in TYPES
    ]
    every = [s for samples in timings.values() for s in samples]
    rows.append(
        f"| all | {sum(per_type.values()):,} | {sum(hits.values()):,} | {statistics.median(every) * 1000:.1f} |"
        f" {_percentile(every, 0.95) * 1000:.1f} |"
    )
    load = os.getloadavg()[0]
    section = "\n".join(
        [
            SECTION,
            "",
            f"`python -m tests.benchmarks.bench_text_search`: the sandbox's large patient (seed {SEED}), every surface"
            f" translated ({translated:.0f} s) and written to a fresh store ({written:.1f} s, text index included);"
            f" {len(QUERIES)} queries (words, a phrase, OR, NOT, a prefix) x {len(TYPES)} types x {ROUNDS} rounds"
            " of `GET [type]?_content=...&_count=50` through the facade app in-process (ASGI: parsing, FTS5 with"
            " bm25 and snippets, Bundle; no network). One run on a shared 2-core machine with other engineers'"
            f" jobs running (1-minute load {load:.1f}): read the numbers as an upper bound.",
            "",
            "| type | indexed | hits (first page, all queries) | p50 ms | p95 ms |",
            "|---|---:|---:|---:|---:|",
            *rows,
            "",
            f"Index size: store {full / 1e6:.1f} MB vacuumed, {bare / 1e6:.1f} MB without the text index and its"
            f" marker rows: the index costs {(full - bare) / 1e6:.1f} MB ({(full - bare) / max(bare, 1):.0%}).",
            "",
        ]
    )
    print(section)
    current = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: section.rstrip("\n") + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    DOCS.write_text(updated)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
