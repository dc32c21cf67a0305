"""MCP answer benchmark (``python -m tests.benchmarks.bench_mcp``; never part of ``make test``).

For 20 fixed tool calls on the sandbox's large patient (seed 11: profile, ~2,650 lab orders and
the prescriptions, translated by the real translators into a SQLite store behind the in-process
facade): tokens of the rendered answer versus the raw FHIR Bundle holding the same resources,
counted with o200k_base (npm gpt-tokenizer, offline, via node), plus bytes; whether every
value/date/unit/flag of every returned resource appears in the answer; the offline estimator's
margin; the `fhirgate mcp` cold start (spawn -> initialize -> tools/list) against a bare mcp
`MCPServer` with one tool, and peak RSS; and the tokens of tools/list.
Prints the table and rewrites the MCP section of docs/benchmarks.md.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mcp import Client
from mcp_types import CallToolResult, TextContent

from fhir_client import SourceCatalog
from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from mcp_server.answers.token_budget import estimate_tokens
from sandbox.patient import generate_patient
from tests.benchmarks.answer_rows import row_refs
from tests.benchmarks.everyday_questions import everyday_sections
from tests.benchmarks.mcp_startup import (
    ColdStart,
    cold_starts,
    listing_lines,
    listing_texts,
    output_schemas,
)
from tests.benchmarks.record_facts import appears
from tests.fhirgate.source_records import add_practice
from tests.mcp_server.tool_listing_file import every_tool_server
from translators import (
    TranslationContext,
    patient_id_from_profile,
    translate_lab_result,
    translate_profile,
    translate_rx_details,
)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DOCS = REPO / "docs" / "benchmarks.md"
SECTION = "## MCP answers (large patient, 20 questions)"
SEED = 11
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
# The clinically relevant date of each type (administrative ones such as `issued` are not facts here).
DATE_KEYS = ("effectiveDateTime", "authoredOn", "birthDate", "whenHandedOver")

# (label, tool, arguments, FHIR type and parameters giving the same resources first, in the same order)
QUESTIONS: list[tuple[str, str, dict[str, Any], str, list[tuple[str, str]]]] = [
    ("latest observations", "search_observation", {}, "Observation", [("_sort", "-date")]),
    (
        "lab results",
        "search_observation",
        {"category": "labs"},
        "Observation",
        [("category", "laboratory"), ("_sort", "-date")],
    ),
    (
        "labs since 2025",
        "search_observation",
        {"category": "laboratory", "date": "ge2025-01-01"},
        "Observation",
        [("category", "laboratory"), ("date", "ge2025-01-01"), ("_sort", "-date")],
    ),
    (
        "labs in 2024",
        "search_observation",
        {"date": "ge2024-01-01,lt2025-01-01"},
        "Observation",
        [("date", "ge2024-01-01"), ("date", "lt2025-01-01"), ("_sort", "-date")],
    ),
    ("labs in 2020", "search_observation", {"date": "2020"}, "Observation", [("date", "2020"), ("_sort", "-date")]),
    (
        "oldest labs",
        "fhir_search",
        {"resource_type": "Observation", "params": {"_sort": "date"}},
        "Observation",
        [("_sort", "date")],
    ),
    (
        "final results",
        "fhir_search",
        {"resource_type": "Observation", "params": {"status": "final", "_sort": "-date"}},
        "Observation",
        [("status", "final"), ("_sort", "-date")],
    ),
    (
        "small answer",
        "search_observation",
        {"category": "laboratory", "max_tokens": 1000},
        "Observation",
        [("category", "laboratory"), ("_sort", "-date")],
    ),
    ("all prescriptions", "search_medication_request", {}, "MedicationRequest", [("_sort", "-authoredon")]),
    (
        "active prescriptions",
        "search_medication_request",
        {"status": "active"},
        "MedicationRequest",
        [("status", "active"), ("_sort", "-authoredon")],
    ),
    (
        "stopped prescriptions",
        "search_medication_request",
        {"status": "stopped,completed"},
        "MedicationRequest",
        [("status", "stopped,completed"), ("_sort", "-authoredon")],
    ),
    (
        "oldest prescriptions",
        "fhir_search",
        {"resource_type": "MedicationRequest", "params": {"_sort": "authoredon"}},
        "MedicationRequest",
        [("_sort", "authoredon")],
    ),
    ("patient", "get_patient", {}, "Patient", []),
    ("coverage", "get_coverage", {}, "Coverage", []),
    (
        "lab reports",
        "fhir_search",
        {"resource_type": "DiagnosticReport", "params": {"_sort": "-date"}},
        "DiagnosticReport",
        [("_sort", "-date")],
    ),
    (
        "reports since 2025",
        "fhir_search",
        {"resource_type": "DiagnosticReport", "params": {"date": "ge2025-01-01", "_sort": "-date"}},
        "DiagnosticReport",
        [("date", "ge2025-01-01"), ("_sort", "-date")],
    ),
    ("dispenses", "fhir_search", {"resource_type": "MedicationDispense"}, "MedicationDispense", []),
    ("medications", "fhir_search", {"resource_type": "Medication"}, "Medication", []),
    ("organizations", "fhir_search", {"resource_type": "Organization"}, "Organization", []),
    (
        "vital signs",
        "search_observation",
        {"category": "vital-signs"},
        "Observation",
        [("category", "vital-signs"), ("_sort", "-date")],
    ),
]


def build_store(path: Path) -> SqliteStore:
    patient = generate_patient(SEED, "large")
    context = TranslationContext(patient_id=patient_id_from_profile(patient.profile))
    store = SqliteStore.open(path)
    store.write_surface("profile", translate_profile(patient.profile, context).resources, now=NOW)
    labs: list[dict[str, Any]] = []
    for order in patient.lab_orders:
        labs += translate_lab_result(order.list_entry, order.detail, context, group=order.group).resources
    store.write_surface("test-results", labs, now=NOW)
    store.write_surface("medications", translate_rx_details(patient.rx_details, context).resources, now=NOW)
    return store


def count_tokens(texts: list[str]) -> tuple[list[int], str]:
    """o200k_base counts through node, or bytes/4 when node or the package is missing (said in the report)."""
    node = shutil.which("node")
    if node and (HERE / "node_modules" / "gpt-tokenizer").is_dir():
        done = subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [node, str(HERE / "count_tokens.mjs")], input=json.dumps(texts).encode(), capture_output=True, check=True
        )
        return list(json.loads(done.stdout)), "o200k_base (npm gpt-tokenizer, offline)"
    return [
        len(t.encode()) // 4 for t in texts
    ], "bytes/4 (gpt-tokenizer not installed: npm install in tests/benchmarks)"


def facts(resource: Mapping[str, Any]) -> list[str]:
    """Every value, clinical date, unit, flag and status of the resource, as the record writes them."""
    found = [resource[key][:10] for key in DATE_KEYS if isinstance(resource.get(key), str)]
    period = resource.get("period")
    if isinstance(period, dict) and isinstance(period.get("start"), str):
        found.append(period["start"][:10])
    quantity = resource.get("valueQuantity")
    if isinstance(quantity, dict):
        if (value := quantity.get("value")) is not None:
            found.append(str(value))
        if isinstance(quantity.get("unit"), str):
            found.append(quantity["unit"])
    if isinstance(resource.get("valueString"), str):
        found.append(resource["valueString"])
    concept = resource.get("valueCodeableConcept")
    if isinstance(concept, dict) and isinstance(concept.get("text"), str):
        found.append(concept["text"])
    for interpretation in resource.get("interpretation") or []:
        found += [c["code"] for c in interpretation.get("coding") or [] if isinstance(c.get("code"), str)]
    if isinstance(resource.get("status"), str):
        found.append(resource["status"])
    return found


def answer_text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def run_questions(registry: SourceRegistry) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    client_fhir = registry.get("kaiser")
    async with Client(build_server(registry)) as client:
        for label, tool, arguments, resource_type, params in QUESTIONS:
            result = await client.call_tool(tool, {"source": "kaiser", **arguments})
            text = answer_text(result)
            structured = result.structured_content  # none for a rows answer: its text holds the rows
            ids = row_refs(text)
            bundle = await client_fhir.search(resource_type, [*params, ("_count", str(max(len(ids), 1)))])
            returned = [e["resource"] for e in bundle.get("entry", []) if e.get("search", {}).get("mode") == "match"]
            returned = returned[: len(ids)]
            assert [f"{r['resourceType']}/{r['id']}" for r in returned] == ids, label
            checked = [fact for resource in returned for fact in facts(resource)]
            kept = sum(1 for fact in checked if appears(fact, text))
            rows.append(
                {
                    "label": label,
                    "tool": tool,
                    "rows": len(ids),
                    "text": text,
                    "structured": json.dumps(structured, separators=(",", ":")) if structured else "",
                    "raw": json.dumps(bundle, separators=(",", ":")),
                    "facts": len(checked),
                    "kept": kept,
                    "more": "more rows not shown" in text,
                    "budget": int(arguments.get("max_tokens", 4000)),
                }
            )
    return rows


def server_env(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "FHIRGATE_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }


def cold_start(home: Path) -> tuple[float, float, float, int]:
    """Seconds to the initialize answer and to the tools/list answer; peak RSS (KiB) after one search."""
    env = server_env(home)
    hello = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"},
        },
    }
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "fhirgate", "mcp"],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None

    def ask(message: dict[str, Any]) -> None:
        assert process.stdin is not None
        process.stdin.write((json.dumps(message) + "\n").encode())
        process.stdin.flush()

    ask(hello)
    process.stdout.readline()
    initialized = time.perf_counter() - started
    ask({"jsonrpc": "2.0", "method": "notifications/initialized"})
    ask({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    process.stdout.readline()
    listed = time.perf_counter() - started
    first_call = time.perf_counter()
    ask({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "search_observation", "arguments": {}}})
    answer = json.loads(process.stdout.readline())
    call_seconds = time.perf_counter() - first_call
    text = answer["result"]["content"][0]["text"]
    assert answer["id"] == 3 and not answer["result"].get("isError") and "kaiser total" in text, answer
    status = Path(f"/proc/{process.pid}/status").read_text()
    peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
    process.communicate(timeout=30)
    return initialized, listed, call_seconds, peak


def report(
    rows: list[dict[str, Any]],
    counter: str,
    start: tuple[float, float, float, int],
    resources: int,
    versus_bare: ColdStart,
    listing: list[str],
) -> str:
    texts = [r["text"] for r in rows] + [r["raw"] for r in rows] + [r["structured"] for r in rows]
    counts, _ = count_tokens(texts)
    n = len(rows)
    answer_tokens, raw_tokens, structured_tokens = counts[:n], counts[n : 2 * n], counts[2 * n :]
    lines = [
        SECTION,
        "",
        f"`python -m tests.benchmarks.bench_mcp`: the sandbox's large patient (seed {SEED}; profile, lab results and "
        f"prescriptions, {resources} resources) in a store behind the in-process facade; each question is one MCP tool "
        "call at the default budget (4,000 tokens) unless noted, compared with the raw searchset Bundle "
        f"holding exactly the resources the answer shows. Tokens: {counter}.",
        "",
        "| question | tool | rows | answer tokens | raw Bundle tokens | ratio | answer bytes | raw bytes "
        "| structured tokens | facts kept | more via cursor |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row, answer, raw, structured in zip(rows, answer_tokens, raw_tokens, structured_tokens, strict=True):
        ratio = raw / answer if answer else 0.0
        kept = f"{row['kept']}/{row['facts']}"
        more = "yes" if row["more"] else "no"
        lines.append(
            f"| {row['label']} | {row['tool']} | {row['rows']} | {answer} | {raw} | {ratio:.1f}x | "
            f"{len(row['text'].encode())} | {len(row['raw'].encode())} | {structured} | {kept} | {more} |"
        )
    total_answer, total_raw = sum(answer_tokens), sum(raw_tokens)
    facts_total, facts_kept = sum(r["facts"] for r in rows), sum(r["kept"] for r in rows)
    estimates = [estimate_tokens(r["text"]) for r in rows]
    under = [(a, e) for a, e in zip(answer_tokens, estimates, strict=True) if e < a]
    margin = min(e / a for a, e in zip(answer_tokens, estimates, strict=True) if a)
    over = sum(1 for a, r in zip(answer_tokens, rows, strict=True) if a > r["budget"])
    kept_share = 100 * facts_kept / max(facts_total, 1)
    lines += [
        "",
        "| measure | value |",
        "|---|---|",
        f"| answer tokens, all 20 | {total_answer} |",
        f"| raw Bundle tokens, all 20 | {total_raw} |",
        f"| overall ratio (target >= 5x) | {total_raw / total_answer:.1f}x |",
        f"| facts kept (target 100 %) | {facts_kept}/{facts_total} = {kept_share:.1f} % |",
        f"| structured copy / text (tokens) | {sum(structured_tokens) / total_answer:.2f} |",
        f"| offline estimate / o200k (min over answers) | {margin:.2f} |",
        f"| answers the estimate under-counted | {len(under)} |",
        f"| answers over their token budget | {over} |",
        f"| cold start: spawn -> initialize answered | {start[0]:.2f} s |",
        f"| cold start: spawn -> tools/list answered | {start[1]:.2f} s |",
        f"| cold start, median of 5 alternating spawns (home: the store above and one connected practice): "
        f"fhirgate mcp / bare MCPServer with one tool "
        f"| {versus_bare.fhirgate:.2f} s / {versus_bare.bare:.2f} s = {versus_bare.ratio:.2f}x (target <= 1.3x) |",
        f"| the same, fhirgate with its collector running while it starts (no startup_gc pause) "
        f"| {versus_bare.collector_on:.2f} s / {versus_bare.bare:.2f} s = {versus_bare.collector_on_ratio:.2f}x |",
        f"| the same, CPU seconds (user + system) of each process "
        f"| {versus_bare.fhirgate_cpu:.2f} s / {versus_bare.bare_cpu:.2f} s = {versus_bare.cpu_ratio:.2f}x |",
        f"| first search_observation call | {start[2]:.2f} s |",
        f"| peak RSS (VmHWM) after that call | {start[3] / 1024:.0f} MiB |",
        *listing,
        "",
    ]
    return "\n".join(lines)


SEARCH_CALLS = 40


async def repeated_search_latency(registry: SourceRegistry, calls: int = SEARCH_CALLS) -> str:
    """``search_observation`` (default budget, no filters) called ``calls`` times in-process, after one warm-up
    call: tool call -> answer p50/p95, as report lines (the facade's hot path seen from the MCP server)."""
    seconds: list[float] = []
    async with Client(build_server(registry)) as client:
        await client.call_tool("search_observation", {"source": "kaiser"})
        for _ in range(calls):
            started = time.perf_counter()
            result = await client.call_tool("search_observation", {"source": "kaiser"})
            seconds.append(time.perf_counter() - started)
            assert not result.is_error, answer_text(result)
    ordered = sorted(seconds)
    p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"Repeated `search_observation` calls (default budget, in-process, {calls} after a warm-up):"
        f" p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms.\n"
    )


def write_section(text: str) -> None:
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if SECTION in current:
        before, _, after = current.partition(SECTION)
        rest = after.split("\n## ", 1)
        current = before + (("## " + rest[1]) if len(rest) > 1 else "")
    DOCS.write_text(current.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        store = build_store(home / "store.sqlite3")
        registry = SourceRegistry({"kaiser": RecordSource("kaiser", in_process_kaiser_client(store), kind="kaiser")})
        rows = asyncio.run(run_questions(registry))
        outputs = output_schemas(registry, store, home)
        names, compact, full = asyncio.run(listing_texts(every_tool_server(registry, store, home), outputs))
        latency = asyncio.run(repeated_search_latency(registry))
        asyncio.run(registry.aclose())
        store.close()
        with sqlite3.connect(home / "store.sqlite3") as conn:
            resources = int(conn.execute("SELECT count(*) FROM resources").fetchone()[0])
        start = cold_start(home)
        # As most users run it: the Kaiser store and a connected practice (not contacted before tools/list).
        add_practice(SourceCatalog(home / "sources.sqlite3"), "healow-practice", "connected", time.time() + 3600)
        fhirgate_mcp = [sys.executable, "-m", "fhirgate", "mcp"]
        bare = [sys.executable, str(HERE / "bare_mcp_server.py")]
        versus_bare = cold_starts(fhirgate_mcp, bare, cwd=REPO, env=server_env(home))
    _, counter = count_tokens(["x"])
    listing = listing_lines(names, compact, full, lambda texts: count_tokens(texts)[0], counter)
    text = report(rows, counter, start, resources, versus_bare, listing) + latency
    print(text)
    write_section(text)
    for section in everyday_sections(count_tokens):  # the twelve everyday questions; small budgets
        print(section)


if __name__ == "__main__":
    main()
