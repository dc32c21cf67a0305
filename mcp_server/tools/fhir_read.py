"""The generic read tools: `fhir_get` (one resource) and `fhir_search` (any FHIR search).

Both are typed functions whose docstrings are written for the model. `fhir_search` answers
through the same budgeted, cursor-paged path as the typed tools.
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from fhir_client import FhirClientError, normalize_params
from mcp_server.answers.page_reader import everything_path
from mcp_server.answers.resource_view import fit_resource, render_fitted
from mcp_server.answers.token_budget import DEFAULT_MAX_TOKENS
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.rows.search_page import DEFAULT_CHAR_BUDGET
from mcp_server.sources.registry import UnknownSourceError
from mcp_server.tools.context import (
    CursorArg,
    FormatArg,
    MaxTokensArg,
    ReadResult,
    RecordResource,
    ResourceResult,
    SearchResult,
    SourceArg,
    ToolContext,
)

__all__ = ["FhirTools"]

Source = str  # explained once, in the server's instructions
ResourceType = Annotated[str, Field(description="e.g. Observation")]
SearchParamsArg = Annotated[
    dict[str, str | list[str]] | None,
    Field(description='e.g. {"category": "laboratory", "date": ["ge2024-01-01", "lt2024-07-01"]}; a list repeats'),
]


class FhirTools:
    """The generic tool implementations, bound to the shared `ToolContext`."""

    def __init__(self, context: ToolContext, *, char_budget: int = DEFAULT_CHAR_BUDGET) -> None:
        self._context = context
        self._char_budget = char_budget

    async def fhir_get(
        self,
        source: Source,
        resource_type: ResourceType,
        id: Annotated[str, Field(description="as in a row's Type/id")],
    ) -> ReadResult:
        """One resource in full as FHIR R4 JSON, up to about 12,000 characters (over that, attachment data
        and then the narrative are elided, and the reply says so)."""
        target = f"{resource_type}/{id}"
        try:
            record_source = self._context.registry.source(source)
            resource = await record_source.client.read(resource_type, id)
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source, target=target) from error
        except FhirClientError as error:
            raise to_tool_error(error, source=source, target=target, login_hint=record_source.login_hint) from error
        fitted = fit_resource(resource, char_budget=self._char_budget)
        structured = ResourceResult(
            source=source,
            reference=fitted.reference,
            elided=list(fitted.notes),
            untrusted_record_data=RecordResource(resource=fitted.resource),
        )
        return CallToolResult(
            content=[TextContent(text=render_fitted(fitted, source=source))],
            structured_content=structured.model_dump(),
        )

    async def fhir_search(
        self,
        resource_type: ResourceType,
        source: SourceArg = None,
        params: SearchParamsArg = None,
        format: FormatArg = "rows",
        max_tokens: MaxTokensArg = DEFAULT_MAX_TOKENS,
        cursor: CursorArg = None,
    ) -> SearchResult:
        """Any FHIR search (parameters as the FHIR spec names them; _sort=-date for newest first), as rows
        with a header (query, totals per source) and notes on failing or stale sources; more via cursor."""
        pairs = normalize_params(params)
        await self._context.check_declared(source, resource_type, pairs)
        result: CallToolResult = await self._context.search(
            "fhir_search",
            resource_type,
            pairs,
            source=source,
            arguments={"resource_type": resource_type, "params": sorted(pairs)},
            cursor=cursor,
            max_tokens=max_tokens,
            fmt=format,
        )
        return result

    async def fhir_everything(
        self,
        source: Source,
        since: Annotated[
            str | None,
            Field(description="instant fhirgate stored or updated it (FHIR _since), not the date of care"),
        ] = None,
        types: Annotated[list[str] | None, Field(description="e.g. ['Observation', 'Condition']")] = None,
        format: FormatArg = "rows",
        max_tokens: MaxTokensArg = DEFAULT_MAX_TOKENS,
        cursor: CursorArg = None,
    ) -> SearchResult:
        """Everything one source holds about the patient (FHIR `Patient/$everything`), mixed types in the
        server's order: a broad review, or several `types` at once. `since` is when fhirgate stored or last
        updated a resource (FHIR `_since`), not when the care happened: for "since my last visit", use a
        typed tool's `date`."""
        try:
            record_source = self._context.registry.source(source)
            patient_id = (await record_source.client.whoami()).patient_id
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source, target="Patient/$everything") from error
        except FhirClientError as error:
            login = record_source.login_hint
            raise to_tool_error(error, source=source, target="Patient/$everything", login_hint=login) from error
        if patient_id is None:
            raise ToolError(f"Source {source!r} holds no Patient yet: for kaiser, ask the user to run `fhirgate sync`.")
        pairs = [("_since", since)] if since else []
        pairs += [("_type", ",".join(types))] if types else []
        result: CallToolResult = await self._context.search(
            "fhir_everything",
            everything_path(patient_id),
            pairs,
            source=source,
            arguments={"since": since, "types": sorted(types or [])},
            cursor=cursor,
            max_tokens=max_tokens,
            fmt=format,
        )
        return result
