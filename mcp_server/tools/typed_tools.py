"""Turning each row of `TYPED_TOOLS` into an MCP tool with a typed signature.

The generated function's signature is what the SDK reads to build the input schema, so each
filter appears as its own documented, optional argument next to the shared ones.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult
from pydantic import Field

from mcp_server.tools.context import CursorArg, FormatArg, MaxTokensArg, SearchResult, SourceArg, ToolContext
from mcp_server.tools.search_filters import FilterValueError
from mcp_server.tools.typed_table import TypedTool

__all__ = ["tool_title", "typed_tool_function"]

_KW = inspect.Parameter.KEYWORD_ONLY


def _signature(spec: TypedTool, default_max_tokens: int) -> inspect.Signature:
    parameters = [inspect.Parameter("source", _KW, default=None, annotation=SourceArg)]
    for item in spec.filters:
        annotation = Annotated[str | None, Field(description=item.description)]
        parameters.append(inspect.Parameter(item.name, _KW, default=None, annotation=annotation))
    parameters += [
        inspect.Parameter("format", _KW, default="rows", annotation=FormatArg),
        inspect.Parameter("max_tokens", _KW, default=default_max_tokens, annotation=MaxTokensArg),
        inspect.Parameter("cursor", _KW, default=None, annotation=CursorArg),
    ]
    return inspect.Signature(parameters, return_annotation=SearchResult)


def typed_tool_function(spec: TypedTool, context: ToolContext) -> Callable[..., Awaitable[CallToolResult]]:
    """An async function for `spec` whose signature lists its filters."""

    async def tool(**kwargs: Any) -> CallToolResult:
        params = list(spec.fixed)
        filters: dict[str, str] = {}
        try:
            for item in spec.filters:
                if value := kwargs.get(item.name):
                    filters[item.name] = value
                    params += item.to_params(value, context.today())
        except FilterValueError as error:
            raise ToolError(str(error)) from error
        if spec.sort and not any(name == "_sort" for name, _ in params):
            params.append(("_sort", spec.sort))
        return await context.search(
            spec.name,
            spec.resource_type,
            params,
            source=kwargs.get("source"),
            arguments=filters,
            cursor=kwargs.get("cursor"),
            max_tokens=int(kwargs.get("max_tokens") or context.default_max_tokens),
            fmt=kwargs.get("format") or "rows",
        )

    tool.__name__ = spec.name
    tool.__doc__ = spec.summary  # rows, budget, cursor: in the server's instructions
    tool.__signature__ = _signature(spec, context.default_max_tokens)  # type: ignore[attr-defined]
    return tool


def tool_title(summary: str) -> str:
    """The summary's first clause without its parenthetical examples: `Observations, newest first`."""
    plain = " ".join(re.sub(r"\s*\([^)]*\)", "", summary).split())
    return re.split(r"[.;](?:\s|$)", plain, maxsplit=1)[0].strip()
