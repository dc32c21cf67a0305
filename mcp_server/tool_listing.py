"""What `tools/list` shows of each tool: its input schema compacted, and no output schema.

The SDK derives each input schema from pydantic, which adds a title to every property and spells an
optional string as `anyOf: [string, null]` with `default: null`. A client forwards the whole listing to
the model before the first question, so the listing drops what says nothing: titles (the property name
says it), the null branch (an optional argument is simply not required) and defaults (the SDK applies
them; the shared ones are in the server's instructions). Arguments are still validated by the SDK
against the full models. Output schemas are not listed (see
docs/decisions.md): the model reads the text, and a client that forwards the schema pays for it on every turn.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import Tool

__all__ = ["CompactListingServer", "compact_schema"]


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


class CompactListingServer(MCPServer):
    """An `MCPServer` whose `tools/list` carries compact input schemas and no output schemas."""

    async def list_tools(self) -> list[Tool]:
        return [
            tool.model_copy(update={"input_schema": compact_schema(tool.input_schema), "output_schema": None})
            for tool in await super().list_tools()
        ]
