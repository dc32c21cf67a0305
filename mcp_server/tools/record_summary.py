"""`record_summary`: what each source holds — counts per resource type, date span, last sync, gaps.

Counts come from `_count=0` searches (the total only) over the types the source's
CapabilityStatement lists; the date span from one oldest-first and one newest-first row of
the dated clinical types.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from fhir_client import FhirClientError, entries
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.rows.row_fields import row_fields
from mcp_server.sources.registry import RecordSource, UnknownSourceError
from mcp_server.tools.capability_text import searchable_types
from mcp_server.tools.context import SourceArg, ToolContext

__all__ = ["RecordSummaryTool"]

# Dated clinical types and the search parameter that sorts them by clinical date.
DATE_SORTS = {
    "Observation": "date",
    "DiagnosticReport": "date",
    "Encounter": "date",
    "MedicationRequest": "authoredon",
    "Immunization": "date",
    "DocumentReference": "date",
    "Procedure": "date",
}
MAX_TYPES = 40
_PARALLEL = 4


class RecordSummaryTool:
    def __init__(self, context: ToolContext) -> None:
        self._context = context

    async def _summary(self, source: RecordSource) -> list[str]:
        client = source.client
        lines = [f"{source.name}:"]
        if source.status is not None:
            status = await source.status()
            if source.kind == "kaiser":
                sync = status.last_sync.isoformat(timespec="minutes") if status.last_sync else "never"
                lines.append(f"  state {status.state}; last sync {sync}")
                lines += [f"  gap: {note}" for note in status.notes]
            else:  # a practice is read live: nothing is synced, its notes are about tokens
                lines.append(f"  state {status.state}; read live from the practice")
                lines += [f"  note: {note}" for note in status.notes]
        types = searchable_types(await client.capabilities())[:MAX_TYPES]
        gate = asyncio.Semaphore(_PARALLEL)

        async def count(kind: str) -> int | None:
            async with gate:
                try:
                    total = (await client.search(kind, [("_count", "0")])).get("total")
                except FhirClientError:
                    return None
            return total if isinstance(total, int) else None

        async def edge(kind: str, sort: str) -> str:
            async with gate:
                try:
                    bundle = await client.search(kind, [("_sort", sort), ("_count", "1")])
                except FhirClientError:
                    return ""
            rows = [row_fields(r, source.name)[2] for r in entries(bundle, "match", None)]
            return rows[0] if rows else ""

        counts = dict(zip(types, await asyncio.gather(*(count(t) for t in types)), strict=True))
        held = {kind: n for kind, n in counts.items() if n}
        lines.append("  " + (", ".join(f"{kind} {n}" for kind, n in held.items()) or "no resources"))
        dated = [kind for kind in held if kind in DATE_SORTS]
        spans: list[Any] = await asyncio.gather(
            *(edge(k, s) for k in dated for s in (DATE_SORTS[k], f"-{DATE_SORTS[k]}"))
        )
        for index, kind in enumerate(dated):
            first, last = spans[2 * index], spans[2 * index + 1]
            if first or last:
                lines.append(f"  {kind} dates {first or '?'} .. {last or '?'}")
        empty = [kind for kind, n in counts.items() if n == 0]
        unknown = [kind for kind, n in counts.items() if n is None]
        if empty:
            lines.append(f"  gap: nothing stored for {', '.join(empty)}")
        if unknown:
            lines.append(f"  gap: could not count {', '.join(unknown)}")
        return lines

    async def record_summary(self, source: SourceArg = None) -> str:
        """What each source's record holds: resources per type, date span of clinical data, last sync, and gaps.

        Use it first to see what exists (and how fresh it is) before searching.
        """
        try:
            sources = self._context.registry.select(source)
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source or "", target="record_summary") from error
        results = await asyncio.gather(*(self._summary(s) for s in sources), return_exceptions=True)
        lines: list[str] = []
        for item, result in zip(sources, results, strict=True):
            if isinstance(result, FhirClientError):
                failure = to_tool_error(result, source=item.name, target="metadata", login_hint=item.login_hint)
                if source:
                    raise failure
                lines.append(f"{item.name}: not summarised: {failure}")
            elif isinstance(result, BaseException):
                raise result
            else:
                lines += result
        if not lines:
            raise ToolError("No sources are configured.")
        return "\n".join(lines)
