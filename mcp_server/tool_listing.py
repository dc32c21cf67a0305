"""What `tools/list` shows of each tool, and the file that keeps that listing ready.

The SDK derives each input schema from pydantic, which adds a title to every property and spells an
optional string as `anyOf: [string, null]` with `default: null`. A client forwards the whole listing to
the model before the first question, so the listing drops what says nothing: titles (the property name
says it), the null branch (an optional argument is simply not required) and defaults (the SDK applies
them; the shared ones are in the server's instructions). Arguments are still validated by the SDK
against the full models. Output schemas are not listed (see
docs/decisions.md): the model reads the text, and a client that forwards the schema pays for it on every turn.

Building a tool in the SDK (an argument model and its JSON schema) takes about a millisecond, which for
the whole table was a fifth of the server's own start, and a client waits for `tools/list` before the
first question. So the listing is kept in `tool_listing.json` (each row of the table as the SDK lists it,
compacted), `tools/list` is answered from it, and the tools are built on the first call (`TableServer`).
`make tool-listing` writes the file; tests/mcp_server/test_tool_listing_file.py fails, naming that
command, when the file differs from what the table builds (a changed docstring, argument or title).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, InputRequiredResult, Tool
from pydantic import ValidationError

__all__ = ["LISTING_FILE", "TableServer", "compact_schema", "kept_listing", "listed", "listing_json"]

logger = logging.getLogger(__name__)

LISTING_FILE = Path(__file__).with_name("tool_listing.json")


def compact_schema(schema: Any) -> Any:
    """`schema` without titles, null branches of optional values, or defaults (recursively)."""
    if isinstance(schema, list):
        return [compact_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    compact = {key: compact_schema(value) for key, value in schema.items() if key != "title"}
    branches = compact.get("anyOf")
    if isinstance(branches, list) and {"type": "null"} in branches:
        kept = [branch for branch in branches if branch != {"type": "null"}]
        del compact["anyOf"]
        compact = {**kept[0], **compact} if len(kept) == 1 else {"anyOf": kept, **compact}
    compact.pop("default", None)
    if isinstance(compact.get("properties"), dict):
        # A property named "title" is an argument, not a schema title: keep it.
        compact["properties"] = {name: compact_schema(value) for name, value in schema["properties"].items()}
    return compact


def listed(tool: Tool) -> Tool:
    """`tool` as tools/list shows it: compact input schema, no output schema."""
    return tool.model_copy(update={"input_schema": compact_schema(tool.input_schema), "output_schema": None})


def listing_json(tools: Sequence[Tool]) -> str:
    """The text of `tool_listing.json` for `tools` (as listed), in table order."""
    entries = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    return json.dumps(entries, indent=1, ensure_ascii=False) + "\n"


@functools.cache
def kept_listing() -> Mapping[str, Tool]:
    """The tools of `tool_listing.json` by name; empty (and logged) when the file cannot be read."""
    try:
        entries = json.loads(LISTING_FILE.read_text(encoding="utf-8"))
        return {entry["name"]: Tool.model_validate(entry) for entry in entries}
    except (OSError, ValueError, TypeError, KeyError, ValidationError) as exc:
        logger.warning("tool listing file unusable (%s): tools are built before tools/list", type(exc).__name__)
        return {}


class TableServer(MCPServer):
    """An `MCPServer` that lists the tools named in `served` from the kept listing and builds them (with
    `build_tools`) on the first call, or before listing when the file lacks one of them."""

    def __init__(
        self,
        name: str,
        *,
        version: str,
        instructions: str,
        served: Sequence[str],
        build_tools: Callable[[MCPServer], None],
    ) -> None:
        super().__init__(name, version=version, instructions=instructions)
        self._served = tuple(served)
        self._build_tools = build_tools
        self._tools_built = False

    def build_tools(self) -> None:
        """Build the served tools in the SDK, once."""
        if not self._tools_built:
            self._build_tools(self)
            self._tools_built = True

    async def list_tools(self) -> list[Tool]:
        kept = kept_listing()
        if all(name in kept for name in self._served):
            return [kept[name] for name in self._served]
        self.build_tools()
        return [listed(tool) for tool in await super().list_tools()]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        self.build_tools()
        return await super().call_tool(name, arguments, context)

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        # The SDK asks this (for HTTP's Mcp-Param headers) before a call reaches `call_tool`.
        self.build_tools()
        return super()._tool_input_schema(name)
