"""Two MCP measurements for bench_mcp: the cold start (spawn -> tools/list answered) of a stdio server,
and the o200k tokens of a server's tools/list, per tool, as listed and as the SDK would list it with the
output schemas of the tools' return models."""

from __future__ import annotations

import inspect
import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, get_args, get_origin

from mcp import Client
from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel

from gateway.store import SqliteStore
from mcp_server import SourceRegistry
from mcp_server.tool_kit import ToolKit
from mcp_server.tool_listing import TableServer
from mcp_server.tool_table import TOOLS
from mcp_server.tools.context import ToolContext
from tests.mcp_server.tool_listing_file import placeholder_parts

HELLO = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}},
}
LISTED = ("name", "title", "description", "inputSchema")


def seconds_to_tools_list(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str]) -> tuple[float, float]:
    """Wall seconds from spawning `argv` to its tools/list answer, and the CPU seconds (user + system) the
    process used in all (it is closed right after the answer). On a shared, loaded machine the wall time
    varies with the load; the CPU time much less."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own commands, fixed arguments
        list(argv), cwd=cwd, env=dict(env), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin is not None and process.stdout is not None
    for message in (
        HELLO,
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    ):
        process.stdin.write((json.dumps(message) + "\n").encode())
    process.stdin.flush()
    process.stdout.readline()
    listed = json.loads(process.stdout.readline())
    seconds = time.perf_counter() - started
    assert listed["id"] == 2 and listed["result"]["tools"], listed
    process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class ColdStart:
    """Median wall and CPU seconds to tools/list of fhirgate, of fhirgate with its collector running while it
    starts (as the bare server's does; see fhirgate.startup_gc), and of the bare server."""

    fhirgate: float
    bare: float
    fhirgate_cpu: float
    bare_cpu: float
    collector_on: float

    @property
    def ratio(self) -> float:
        return self.fhirgate / self.bare

    @property
    def cpu_ratio(self) -> float:
        return self.fhirgate_cpu / self.bare_cpu

    @property
    def collector_on_ratio(self) -> float:
        return self.collector_on / self.bare


def collector_on(fhirgate: Sequence[str]) -> list[str]:
    """`fhirgate` (a `python -m fhirgate mcp` command) with the startup pause of the collector turned off."""
    python, _, _, *arguments = fhirgate
    run = (
        "import contextlib, sys, fhirgate.startup_gc as g; g.collector_paused = contextlib.nullcontext; "
        f"sys.argv = ['fhirgate', *{arguments!r}]; from fhirgate.cli import main; main()"
    )
    return [python, "-c", run]


def cold_starts(
    fhirgate: Sequence[str], bare: Sequence[str], *, cwd: Path, env: Mapping[str, str], runs: int = 5
) -> ColdStart:
    """Median seconds to tools/list of both servers (and of fhirgate with its collector on), spawned
    alternately in the same run (one warm-up each)."""
    commands = {"fhirgate": fhirgate, "bare": bare, "collector_on": collector_on(fhirgate)}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for run in range(runs + 1):
        for name, argv in commands.items():
            measured = seconds_to_tools_list(argv, cwd=cwd, env=env)
            if run:  # the first spawn of each warms the OS file cache
                times[name].append(measured)
    wall = {name: statistics.median(m[0] for m in measured) for name, measured in times.items()}
    cpu = {name: statistics.median(m[1] for m in measured) for name, measured in times.items()}
    return ColdStart(wall["fhirgate"], wall["bare"], cpu["fhirgate"], cpu["bare"], wall["collector_on"])


def output_schemas(registry: SourceRegistry, store: SqliteStore, home: Path) -> dict[str, dict[str, object]]:
    """The output schema each tool would list: that of the model its return annotation carries
    (`Annotated[CallToolResult, Model]`), which fhirgate no longer lists."""
    kit = ToolKit(ToolContext(registry), char_budget=12_000, **placeholder_parts(store, home))
    schemas: dict[str, dict[str, object]] = {}
    for row in TOOLS:
        returned = inspect.signature(row.handler(kit), eval_str=True).return_annotation
        if get_origin(returned) is Annotated:
            models = [arg for arg in get_args(returned)[1:] if isinstance(arg, type) and issubclass(arg, BaseModel)]
            if models:
                schemas[row.name] = models[0].model_json_schema()
    return schemas


async def listing_texts(server: MCPServer, outputs: Mapping[str, object]) -> tuple[list[str], list[str], list[str]]:
    """Per tool: its name; the JSON a client gets in tools/list (name, title, description, input schema);
    and the same with the SDK's own (uncompacted) input schema plus the output schema in `outputs`."""
    async with Client(server) as client:
        listed = (await client.list_tools()).tools
    if isinstance(server, TableServer):
        server.build_tools()  # listed from the kept file until a call: build them for the SDK's own listing
    sdk = {tool.name: tool for tool in await MCPServer.list_tools(server)}
    names, compact, full = [], [], []
    for tool in listed:
        names.append(tool.name)
        wire = tool.model_dump(mode="json", by_alias=True, exclude_none=True)
        compact.append(json.dumps({key: wire[key] for key in LISTED if key in wire}))
        original = sdk[tool.name].model_dump(mode="json", by_alias=True, exclude_none=True)
        before = {key: original[key] for key in LISTED if key in original}
        full.append(json.dumps({**before, **({"outputSchema": outputs[tool.name]} if tool.name in outputs else {})}))
    return names, compact, full


def listing_lines(
    names: list[str], compact: list[str], full: list[str], count: Callable[[list[str]], list[int]], counter: str
) -> list[str]:
    """The tools/list table for docs/benchmarks.md: totals, and the ten costliest tools; `counter` names
    how `count` counts."""
    counts = count(compact + full)
    listed, before = counts[: len(names)], counts[len(names) :]
    lines = [
        "",
        f"tools/list ({len(names)} tools; name, title, description, input schema): {sum(listed)} tokens, "
        f"counted with {counter} "
        f"(target <= 5,000); the SDK's own listing with its output schemas would be {sum(before)}.",
        "",
        "| tool (10 costliest) | listed tokens | SDK schema + output schema |",
        "|---|---|---|",
    ]
    ranked = sorted(zip(names, listed, before, strict=True), key=lambda row: -row[1])
    lines += [f"| {name} | {tokens} | {sdk} |" for name, tokens, sdk in ranked[:10]]
    return lines
