"""MCP fact-coverage benchmark (``python -m tests.benchmarks.bench_mcp_facts``; run by ``make bench``).

Two sources behind one in-process MCP server: the sandbox's `large` patient (seed 11) synced from the
sandbox portal into a store (every surface, twice, as `fhirgate sync` would), and the demo practice's
record (the sandbox SMART EHR's patient, seed 1). For every row-rendering tool (from `tools/list`) and
every resource type, each fact of each row's resource must be shown by the row or returned by the one
follow-up call the answer names for it (`tests/benchmarks/fact_coverage.py`). Prints the table and
rewrites its section of docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcp import Client

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from mcp_server import RecordSource, SourceRegistry, build_server
from sandbox.ehr.record import build_record, seed_store
from tests.benchmarks.benchmarks_doc import replace_section
from tests.benchmarks.fact_coverage import Tally, measure_fact_coverage
from tests.sync.portal_harness import make_portal

SECTION = "## MCP fact coverage (large patient and demo practice, every row tool x type)"
SEED = 11
PRACTICE = "demo-practice"


async def sync_large(store: SqliteStore) -> None:
    """A first sync of every surface and the one after it (which fetches the PDFs still generating)."""
    portal = make_portal(SEED, size="large")
    for _ in range(2):
        async with await portal.client() as client:
            report = await SyncEngine(client, store, clock=portal.clock).run(None)
        assert report.ok, report.surfaces


def stored_resources(path: Path) -> dict[str, dict[str, Any]]:
    """`Type/id` -> the resource as the store holds it: where the facts come from."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT resource_type, id, json FROM resources").fetchall()
    return {f"{kind}/{resource_id}": json.loads(text) for kind, resource_id, text in rows}


def practice_store(path: Path) -> SqliteStore:
    store = SqliteStore.open(path)
    seed_store(store, build_record(seed=1))
    return store


async def measure(kaiser: Path, practice: Path) -> dict[str, dict[tuple[str, str], Tally]]:
    stores = {"kaiser": SqliteStore.open(kaiser), PRACTICE: SqliteStore.open(practice)}
    registry = SourceRegistry(
        {
            "kaiser": RecordSource("kaiser", in_process_kaiser_client(stores["kaiser"]), kind="kaiser"),
            PRACTICE: RecordSource(PRACTICE, in_process_kaiser_client(stores[PRACTICE]), kind="practice"),
        }
    )
    tallies = {}
    try:
        async with Client(build_server(registry)) as client:
            for name, path in (("kaiser", kaiser), (PRACTICE, practice)):
                tallies[name] = await measure_fact_coverage(client, name, stored_resources(path))
    finally:
        await registry.aclose()
        for store in stores.values():
            store.close()
    return tallies


def report(tallies: dict[str, dict[tuple[str, str], Tally]], seconds: dict[str, float]) -> str:
    lines = [
        SECTION,
        "",
        f"`python -m tests.benchmarks.bench_mcp_facts` ({datetime.now(UTC):%Y-%m-%d}): the sandbox's `large` patient "
        f"(seed {SEED}) synced from the sandbox portal into a store ({seconds['sync']:.0f} s), and the demo "
        "practice's record (the sandbox SMART EHR, seed 1), each a source of one in-process MCP server. The row "
        "tools are those `tools/list` names whose answer carries record rows (each read-only tool needing no id "
        "or query asked once to find out); each is paged to the end at "
        "50,000 tokens a page, once per resource type when it takes `resource_type`. Facts of a resource: every "
        "leaf element it carries (what the translator filled; not `id`, `meta`, the narrative, code-system/"
        "extension URIs or base64 `data`), of which *US Core MS* those under a US Core 6.1.0 Must Support "
        "element (`tests/benchmarks/us_core_must_support.json`, from the StructureDefinitions' digest). "
        "*Shown*: the row or its fenced prose shows the value; *reachable*: not shown, but the one follow-up "
        "the answer names returns the element: `fhir_get Type/id` (the legend), or for a resource whose JSON "
        "is more than `fhir_get` shows, the `fhir_search` call its row spells out. Measured in "
        f"{seconds['measure']:.0f} s.",
        "",
        "| source | tool | type | rows | facts | US Core MS | shown | MS shown | reachable | coverage |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lost: list[str] = []
    for source, by_key in tallies.items():
        for (tool, kind), tally in sorted(by_key.items()):
            ms_shown = f"{100 * tally.must_support_shown / tally.must_support:.0f} %" if tally.must_support else "-"
            lines.append(
                f"| {source} | {tool} | {kind} | {tally.rows} | {tally.facts} | {tally.must_support} | "
                f"{tally.shown} | {ms_shown} | {tally.reachable} | {tally.coverage:.1f} % |"
            )
            lost += [f"{source} {tool}: {item}" for item in tally.missing or []]
    lines += ["", "| source | rows | facts | shown | reachable | coverage (target 100 %) |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for source, by_key in tallies.items():
        rows, facts = sum(t.rows for t in by_key.values()), sum(t.facts for t in by_key.values())
        shown, reachable = sum(t.shown for t in by_key.values()), sum(t.reachable for t in by_key.values())
        share = 100 * (shown + reachable) / facts if facts else 100.0
        lines.append(f"| {source} | {rows} | {facts} | {shown} | {reachable} | {share:.2f} % |")
    lines.append("")
    if lost:
        lines += [f"Facts lost ({len(lost)}; first 20):", "", *(f"- `{item}`" for item in lost[:20]), ""]
    return "\n".join(lines)


def two_sources(scratch: Path) -> tuple[Path, Path]:
    """The store files of the two sources under `scratch`: the `large` patient synced, the demo practice."""
    kaiser, practice = scratch / "kaiser.sqlite3", scratch / "practice.sqlite3"
    store = SqliteStore.open(kaiser)
    try:
        asyncio.run(sync_large(store))
    finally:
        store.close()
    practice_store(practice).close()
    return kaiser, practice


def main() -> None:
    logging.disable(logging.INFO)  # the in-process facade's request log is not the benchmark's output
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        kaiser, practice = two_sources(Path(scratch))
        synced = time.perf_counter()
        tallies = asyncio.run(measure(kaiser, practice))
        seconds = {"sync": synced - started, "measure": time.perf_counter() - synced}
    text = report(tallies, seconds)
    print(text)
    replace_section(SECTION, text)


if __name__ == "__main__":
    main()
