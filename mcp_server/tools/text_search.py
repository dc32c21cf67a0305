"""`search_text`: words in messages, notes, reports and result comments, across every source.

A source whose CapabilityStatement declares `_content` on a type is asked with it (Kaiser's facade ranks
with bm25 and sends a snippet per hit); any other source is searched here, over the first page of that
type it returns (`LOCAL_SCAN` items, newest first where the server sorts), and the answer says so.
Every snippet is record text, so it sits inside the answer's untrusted fence; each hit names the call
that reads the whole item.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from fhir_client import FhirClientError, FhirHTTPError
from mcp_server.answers.token_budget import DEFAULT_MAX_TOKENS, estimate_tokens
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.sources.registry import RecordSource, UnknownSourceError
from mcp_server.tools.context import MaxTokensArg, SourceArg, ToolContext
from mcp_server.tools.local_text_match import local_match, query_terms
from mcp_server.untrusted.fencing import Fence

__all__ = ["TextSearchTool"]

TextType = Literal["Communication", "DocumentReference", "DiagnosticReport", "Observation"]
TEXT_TYPES: tuple[TextType, ...] = ("Communication", "DocumentReference", "DiagnosticReport", "Observation")
DATE_PARAMETER: dict[str, str] = {
    "Communication": "sent",
    "DocumentReference": "date",
    "DiagnosticReport": "date",
    "Observation": "date",
}
DATE_PATHS: dict[str, tuple[str, ...]] = {
    "Communication": ("sent",),
    "DocumentReference": ("date",),
    "DiagnosticReport": ("effectiveDateTime", "issued"),
    "Observation": ("effectiveDateTime", "issued"),
}
FOLLOW_UP: dict[str, str] = {
    "Communication": 'read_message(source="{source}", id="{id}")',
    "DocumentReference": 'get_binary(source="{source}", id="DocumentReference/{id}")',
    "DiagnosticReport": 'fhir_get(source="{source}", resource_type="DiagnosticReport", id="{id}")',
    "Observation": 'fhir_get(source="{source}", resource_type="Observation", id="{id}")',
}
SERVER_PAGE = 50
LOCAL_SCAN = 100
SNIPPET_EXTENSION = "urn:fhirgate:search:snippet"
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")

QueryArg = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        description='knee pain (all words); "a phrase"; OR, NOT; word* prefix',
    ),
]
TypesArg = Annotated[
    list[TextType] | None,
    Field(description="omit for all"),
]
DateArg = Annotated[
    str | None,
    Field(description="when written"),
]


@dataclass(frozen=True, slots=True)
class _Hit:
    source: str
    resource_type: str
    id: str
    date: str | None
    score: float
    snippet: str


@dataclass
class _Searched:
    hits: list[_Hit]
    how: str
    more: bool = False
    failure: str | None = None


def _content_value(query: str) -> str:
    # FHIR search values escape `\`, `,`, `$` and `|`; a comma would otherwise split the query into ORed values.
    return re.sub(r"([\\,$|])", r"\\\1", query)


def _date_of(resource: Mapping[str, Any], resource_type: str) -> str | None:
    for path in DATE_PATHS[resource_type]:
        value = resource.get(path)
        if isinstance(value, str) and (found := _DATE.match(value)):
            return found.group()
    return None


def _declared_content(capability: Mapping[str, Any]) -> set[str]:
    declared: set[str] = set()
    for rest in capability.get("rest") or []:
        for resource in (rest.get("resource") or []) if isinstance(rest, dict) else []:
            names = {p.get("name") for p in resource.get("searchParam") or [] if isinstance(p, dict)}
            if "_content" in names and isinstance(resource.get("type"), str):
                declared.add(resource["type"])
    return declared


def _server_snippet(entry: Mapping[str, Any]) -> str | None:
    search = entry.get("search")
    for extension in (search.get("extension") or []) if isinstance(search, dict) else []:
        if isinstance(extension, dict) and extension.get("url") == SNIPPET_EXTENSION:
            return str(extension.get("valueString") or "")
    return None


class TextSearchTool:
    def __init__(self, context: ToolContext) -> None:
        self._context = context
        self._declared: dict[str, set[str]] = {}

    async def _declares(self, source: RecordSource) -> set[str]:
        if source.name not in self._declared:
            try:
                self._declared[source.name] = _declared_content(await source.client.capabilities())
            except FhirClientError:
                return set()  # unknown this time: search locally, ask again next time
        return self._declared[source.name]

    async def _server_search(
        self, source: RecordSource, resource_type: str, query: str, terms: list[str], date: str | None
    ) -> _Searched:
        params = [("_content", _content_value(query)), ("_count", str(SERVER_PAGE))]
        if date:
            params.append((DATE_PARAMETER[resource_type], date))
        bundle = await source.client.search(resource_type, params)
        hits: list[_Hit] = []
        for entry in bundle.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or (entry.get("search") or {}).get("mode", "match") != "match":
                continue
            score = (entry.get("search") or {}).get("score")
            snippet = _server_snippet(entry)
            if snippet is None:
                local = local_match(resource, terms)
                snippet = local.snippet if local else ""
            hits.append(
                _Hit(
                    source.name,
                    resource_type,
                    str(resource.get("id")),
                    _date_of(resource, resource_type),
                    float(score) if isinstance(score, int | float) else 0.0,
                    snippet,
                )
            )
        more = any(isinstance(link, dict) and link.get("relation") == "next" for link in bundle.get("link") or [])
        return _Searched(hits, "its own _content search", more)

    async def _local_search(  # the first page only: a practice allows a few hundred calls a minute
        self, source: RecordSource, resource_type: str, terms: list[str], date: str | None
    ) -> _Searched:
        params = [("_count", str(LOCAL_SCAN))]
        if date:
            params.append((DATE_PARAMETER[resource_type], date))
        bundle = await source.client.search(resource_type, params)
        fetched = [
            entry["resource"]
            for entry in bundle.get("entry") or []
            if isinstance(entry, dict)
            and isinstance(entry.get("resource"), dict)
            and entry["resource"].get("resourceType") == resource_type
        ]
        hits = []
        for resource in fetched:
            found = local_match(resource, terms)
            if found is not None:
                date_of = _date_of(resource, resource_type)
                hits.append(
                    _Hit(source.name, resource_type, str(resource.get("id")), date_of, found.score, found.snippet)
                )
        more = any(isinstance(link, dict) and link.get("relation") == "next" for link in bundle.get("link") or [])
        return _Searched(hits, "a local search of the latest items fetched (its server declares no _content)", more)

    async def _search_one(
        self, source: RecordSource, resource_type: str, query: str, terms: list[str], date: str | None
    ) -> _Searched:
        try:
            if resource_type in self._declared.get(source.name, ()):
                return await self._server_search(source, resource_type, query, terms, date)
            return await self._local_search(source, resource_type, terms, date)
        except FhirClientError as error:
            if isinstance(error, FhirHTTPError) and error.status_code == 400:
                raise to_tool_error(error, source=source.name, target=f"search_text on {resource_type}") from error
            failed = to_tool_error(error, source=source.name, target=resource_type, login_hint=source.login_hint)
            return _Searched([], "failed", failure=str(failed))

    async def search_text(
        self,
        query: QueryArg,
        source: SourceArg = None,
        types: TypesArg = None,
        date: DateArg = None,
        max_tokens: MaxTokensArg = DEFAULT_MAX_TOKENS,
    ) -> str:
        """Find words in messages, visit notes, after-visit summaries, report conclusions and result comments:
        best matches per source, each a snippet (hits in [brackets]) with the call that reads the whole item.
        Practices without `_content` search are searched locally over their latest items (the reply says so)."""
        terms = query_terms(query)
        if not terms:
            raise ToolError("The query has no words to search for; pass words such as: knee pain.")
        try:
            sources = self._context.registry.select(source)
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source or "all", target="search_text") from error
        if not sources:
            raise ToolError("No sources are configured: ask the user to run `fhirgate login kaiser` first.")
        kinds: Sequence[str] = types or TEXT_TYPES
        await asyncio.gather(*(self._declares(s) for s in sources))  # once per source, before the fan-out
        jobs = [(s, t) for s in sources for t in kinds]
        results = await asyncio.gather(*(self._search_one(s, t, query, terms, date) for s, t in jobs))
        return _render(query, jobs, results, max_tokens)


def _render(query: str, jobs: list[tuple[RecordSource, str]], results: Sequence[_Searched], max_tokens: int) -> str:
    notes: list[str] = []
    by_source: dict[str, list[_Hit]] = {}
    counts: dict[tuple[str, str], list[str]] = {}
    for (source, resource_type), searched in zip(jobs, results, strict=True):
        by_source.setdefault(source.name, []).extend(searched.hits)
        if searched.failure is not None:
            notes.append(f"- {source.name} {resource_type}: {searched.failure}")
            continue
        more = "+ (more than were read: narrow with types or date)" if searched.more else ""
        counts.setdefault((source.name, searched.how), []).append(f"{resource_type} {len(searched.hits)}{more}")
    for (name, how), parts in counts.items():
        notes.append(f"- {name}: by {how}: {', '.join(parts)}")
    if all(r.failure is not None for r in results):
        raise ToolError("search_text failed on every source:\n" + "\n".join(notes))
    ranked = [hit for hits in by_source.values() for hit in sorted(hits, key=lambda h: (-h.score, h.id))]
    total = len(ranked)
    head = f"search_text: {total} match{'es' if total != 1 else ''}, best first per source."
    fence = Fence()
    lines = [head, *notes]
    if not ranked:
        lines.append("No item contains all the words; try fewer or other words, or a prefix such as knee*.")
        return "\n".join(lines)
    lines.append(fence.warning("snippets"))
    budget = max_tokens - estimate_tokens("\n".join(lines)) - 60
    shown = 0
    for number, hit in enumerate(ranked, start=1):
        follow = FOLLOW_UP[hit.resource_type].format(source=hit.source, id=hit.id)
        block = (
            f"{number}. [{hit.source}] {hit.resource_type}/{hit.id}"
            + (f", {hit.date}" if hit.date else "")
            + f"; read it with {follow}\n{fence.block(hit.snippet or '(no text)')}"
        )
        cost = estimate_tokens(block)
        if cost > budget and shown:
            break
        lines.append(block)
        budget -= cost
        shown += 1
    if shown < total:
        lines.append(
            f"{total - shown} more matches not shown (raise max_tokens, or narrow with types, source or date)."
        )
    return "\n".join(lines)
