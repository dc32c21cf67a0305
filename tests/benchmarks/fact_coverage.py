"""Fact coverage of the row-rendering MCP tools, measured through an MCP client session.

The tools are those `tools/list` names whose answer carries record rows (`Type/id | ...` lines in its
fence; each read-only tool that needs no id or query is asked once to find out). Each is called on one source
with a large budget and paged with its cursor to the end; a tool that takes `resource_type` is called
once per type the source holds. For every row, each fact of its resource (`record_facts`) is *shown*
when the row or its fenced prose shows its value, else *reachable* when the one follow-up call the
answer names for the row (`fhir_get` with the row's `Type/id`, or the `fhir_search` call the row spells
out for a resource too large for `fhir_get`) returns the element with that value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mcp import Client
from mcp_types import CallToolResult, TextContent, Tool

from tests.benchmarks.answer_rows import next_cursor, row_refs
from tests.benchmarks.record_facts import facts_of, returned_by, shown_in

__all__ = ["Tally", "measure_fact_coverage", "row_tools"]

PAGE_TOKENS = 50_000
_WHOLE_RESOURCE_CALL = re.compile(r"all of it: fhir_search (\{.*?\})\]")
_FENCED = re.compile(r"<<<BEGIN UNTRUSTED (\w+)>>>.*?<<<END UNTRUSTED \1>>>", re.DOTALL)


@dataclass
class Tally:
    """Counts for one tool x resource type."""

    rows: int = 0
    facts: int = 0
    must_support: int = 0
    shown: int = 0
    must_support_shown: int = 0
    reachable: int = 0
    missing: list[str] | None = None

    @property
    def covered(self) -> int:
        return self.shown + self.reachable

    @property
    def coverage(self) -> float:
        return 100.0 * self.covered / self.facts if self.facts else 100.0

    def lost(self, what: str) -> None:
        self.missing = [*(self.missing or []), what]


def _lists_records(tool: Tool) -> bool:
    """A read-only tool that needs nothing but where to look (`source`, `resource_type`): a candidate row tool.
    Tools that need an id or a query (`fhir_get`, `read_message`, `lab_trend`, `search_text`) read one item
    or answer a question, not a list."""
    required = set(tool.input_schema.get("required") or [])
    read_only = tool.annotations is not None and tool.annotations.read_only_hint is True
    return read_only and required <= {"source", "resource_type"}


async def row_tools(client: Client, source: str) -> list[Tool]:
    """The tools `tools/list` names whose answer carries record rows (`Type/id | ...` lines in its fence),
    found by asking each candidate once on `source` for its smallest answer."""
    found = []
    for tool in (await client.list_tools()).tools:
        if not _lists_records(tool):
            continue
        arguments = _calls(tool, source, ["Patient"])[0]
        result = await client.call_tool(
            tool.name, {**arguments, "max_tokens": 500} if "max_tokens" in arguments else arguments
        )
        if not result.is_error and row_refs(_text(result)):
            found.append(tool)
    return found


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def _row_text(answer: str, ref: str) -> str:
    """The row of `ref` (also as an included `+` row) and its fenced prose lines."""
    lines = [line.removeprefix("+ ") for line in answer.splitlines()]
    return "\n".join(line for line in lines if line == ref or line.startswith(f"{ref} "))


def _calls(tool: Tool, source: str, types: list[str]) -> list[dict[str, Any]]:
    properties = (tool.input_schema.get("properties") or {}).keys()
    base = {"source": source, "max_tokens": PAGE_TOKENS}
    base = {key: value for key, value in base.items() if key in properties}
    if "resource_type" in (tool.input_schema.get("required") or []):
        return [{**base, "resource_type": kind} for kind in types]
    return [base]


class _FollowUps:
    """Answers of the follow-up a row names, one call per resource however many tools show it: the
    `fhir_search` call the row spells out for a resource too large for `fhir_get`, else `fhir_get`."""

    def __init__(self, client: Client, source: str) -> None:
        self._client, self._source = client, source
        self._answers: dict[str, str] = {}

    async def text(self, ref: str, row: str) -> str:
        if ref not in self._answers:
            if named := _WHOLE_RESOURCE_CALL.search(row):
                tool, arguments = "fhir_search", {**json.loads(named.group(1)), "source": self._source}
            else:
                kind, _, resource_id = ref.partition("/")
                tool, arguments = "fhir_get", {"source": self._source, "resource_type": kind, "id": resource_id}
            result = await self._client.call_tool(tool, arguments)
            self._answers[ref] = "" if result.is_error else _text(result)
        return self._answers[ref]


async def measure_fact_coverage(
    client: Client, source: str, resources: Mapping[str, Mapping[str, Any]]
) -> dict[tuple[str, str], Tally]:
    """Tallies by (tool, resource type) for every row the row tools show from `source`.

    `resources` maps `Type/id` to the resource as the source stored it (where its facts come from).
    """
    # A Binary is a document (read with get_binary), never a row: no FHIR server searches it.
    types = sorted({ref.partition("/")[0] for ref in resources} - {"Binary"})
    follow_ups = _FollowUps(client, source)
    tallies: dict[tuple[str, str], Tally] = {}
    for tool in await row_tools(client, source):
        for arguments in _calls(tool, source, types):
            cursor: str | None = None
            while True:
                result = await client.call_tool(tool.name, {**arguments, **({"cursor": cursor} if cursor else {})})
                assert not result.is_error, (tool.name, arguments, _text(result))
                answer = _text(result)
                for ref in row_refs(answer):
                    await _tally_row(tallies, tool.name, ref, answer, resources, follow_ups)
                cursor = next_cursor(answer)
                if not cursor:
                    break
    return tallies


async def _tally_row(
    tallies: dict[tuple[str, str], Tally],
    tool: str,
    ref: str,
    answer: str,
    resources: Mapping[str, Mapping[str, Any]],
    follow_ups: _FollowUps,
) -> None:
    tally = tallies.setdefault((tool, ref.partition("/")[0]), Tally())
    tally.rows += 1
    resource = resources.get(ref)
    if resource is None:
        tally.lost(f"{ref}: not in the source's store")
        return
    row = _row_text(answer, ref)
    names_follow_up = bool(
        f"fhir_get {ref}" in row or _WHOLE_RESOURCE_CALL.search(row) or "fhir_get" in _FENCED.sub("", answer)
    )
    for fact in facts_of(resource):
        tally.facts += 1
        tally.must_support += fact.must_support
        if shown_in(fact, row):
            tally.shown += 1
            tally.must_support_shown += fact.must_support
        elif names_follow_up and returned_by(fact, await follow_ups.text(ref, row)):
            tally.reachable += 1
        else:
            tally.lost(f"{ref} {fact.path}={fact.value!r}")
