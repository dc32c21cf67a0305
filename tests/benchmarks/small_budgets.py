"""Rows per page at small budgets (issue 15, "Small budgets are used well"), for `bench_mcp`.

A few typed tools on one source at `max_tokens` 500 and 1,000: how many rows the first page carries,
what the answer costs in o200k tokens and by the offline estimate the budget is kept with, and how
much of it is the frame (everything but the rows and their fenced prose).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client
from mcp_types import TextContent

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from mcp_server.answers.token_budget import estimate_tokens
from tests.benchmarks.answer_rows import row_refs

__all__ = ["SMALL_BUDGETS_SECTION", "SmallPage", "read_small_pages", "small_budgets_report"]

SMALL_BUDGETS_SECTION = "## MCP answers at small budgets (large patient, rows per page)"
BUDGETS = (500, 1_000)
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("list_problems", {}),
    ("search_observation", {"category": "laboratory"}),
    ("search_medication_request", {}),
    ("list_appointments", {}),
    ("search_encounter", {}),
    ("list_messages", {}),
]


@dataclass
class SmallPage:
    tool: str
    arguments: dict[str, Any]
    budget: int
    rows: int
    text: str
    row_text: str


async def read_small_pages(store_path: Path) -> list[SmallPage]:
    store = SqliteStore.open(store_path)
    registry = SourceRegistry({"kaiser": RecordSource("kaiser", in_process_kaiser_client(store), kind="kaiser")})
    pages = []
    try:
        async with Client(build_server(registry)) as client:
            for budget in BUDGETS:
                for tool, arguments in CALLS:
                    result = await client.call_tool(tool, {"source": "kaiser", **arguments, "max_tokens": budget})
                    text = "\n".join(b.text for b in result.content if isinstance(b, TextContent))
                    refs = row_refs(text)
                    row_lines = [line for line in text.splitlines() if any(line.startswith(f"{r} ") for r in refs)]
                    pages.append(SmallPage(tool, arguments, budget, len(refs), text, "\n".join(row_lines)))
    finally:
        await registry.aclose()
        store.close()
    return pages


def small_budgets_report(pages: list[SmallPage], count: Callable[[list[str]], tuple[list[int], str]]) -> str:
    counts, counter = count([p.text for p in pages] + [p.row_text for p in pages])
    answers, rows = counts[: len(pages)], counts[len(pages) :]
    lines = [
        SMALL_BUDGETS_SECTION,
        "",
        "`python -m tests.benchmarks.bench_mcp`: the first page of each call on the `large` patient (seed 11, every "
        "surface synced) at small `max_tokens`. The budget is kept by the offline estimate (UTF-8 bytes / 2, "
        "which errs high); the rows get what the frame (header, legend, fence warning and markers, the tail "
        "with its cursor) and the notes leave. *Frame*: answer tokens less the rows and their fenced prose. "
        f"Tokens: {counter}.",
        "",
        "| tool call | max_tokens | rows | answer tokens | estimate | frame + notes tokens |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for page, answer, row in zip(pages, answers, rows, strict=True):
        call = f"`{page.tool}({', '.join(f'{k}={v!r}' for k, v in page.arguments.items())})`"
        estimate = estimate_tokens(page.text)
        lines.append(f"| {call} | {page.budget} | {page.rows} | {answer} | {estimate} | {answer - row} |")
    for budget in BUDGETS:
        chosen = [p for p in pages if p.budget == budget]
        lines.append("")
        lines.append(f"Mean rows per page at {budget}: {sum(p.rows for p in chosen) / len(chosen):.1f}.")
    return "\n".join(lines) + "\n"
