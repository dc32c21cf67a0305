"""Answering one FHIR search over one or many sources within a token budget.

Each source's first page is fetched concurrently; rows are then taken source by source
until the budget is spent. What did not fit is counted, and a signed cursor records where
every source stopped, so the next call continues exactly there. A source that fails
becomes a note in the answer, unless it was the only source asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from fhir_client import FhirClientError
from mcp_server.answers.answer_text import AnswerParts, SourceSection, render_answer
from mcp_server.answers.cursor import CursorSigner, InvalidCursorError, query_fingerprint
from mcp_server.answers.page_reader import PageReader, Position
from mcp_server.answers.query import AnswerFormat, Query
from mcp_server.answers.resource_view import compact_json, elide_attachment_data, fit_resource
from mcp_server.answers.token_budget import MAX_MAX_TOKENS, estimate_frame_tokens, estimate_tokens
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.rows.search_page import render_row
from mcp_server.sources.registry import RecordSource
from mcp_server.untrusted.fencing import UNTRUSTED_KEY

__all__ = ["Answer", "AnswerFormat", "Query", "answer_query"]

# Rows are fitted into what the budget leaves after the answer's frame (`_frame_tokens`); this margin
# covers what the frame cannot know before the rows are taken (digits, a later page's cursor).
_FRAME_MARGIN_TOKENS = 10
_LARGE = 9_999_999


@dataclass
class Answer:
    """The text for the model and, with format "fhir", its structured copy (the same resources as JSON).
    A rows answer has none: its text already holds the rows, and a client forwarding both would pay twice."""

    text: str
    structured: dict[str, Any] | None


def _could_finish_page(reader: PageReader, fmt: AnswerFormat, budget: int) -> bool:
    """Whether the rows pending on the reader's page fit in `budget`, so the answer may continue on the next."""
    cost = 0
    for resource in reader.pending():
        text, prose = _item(resource, fmt)
        cost += estimate_tokens(text) + sum(estimate_tokens(p) for p in prose) + 2
        if cost >= budget:
            return False
    return True


def _item(resource: dict[str, Any], fmt: AnswerFormat) -> tuple[str, list[str]]:
    if fmt == "fhir":
        return compact_json(_shown_resource(resource)), []
    row, prose = render_row(resource)
    return row + _whole_resource_call(resource), prose


def _whole_resource_call(resource: dict[str, Any]) -> str:
    """A last cell naming the one call that returns all of a resource too large for `fhir_get` (which would cut
    its JSON), e.g. a Provenance listing every resource of a sync; otherwise nothing (the legend names fhir_get)."""
    if fit_resource(resource).resource is not None:
        return ""
    shown = compact_json(_shown_resource(resource))
    arguments = {
        "resource_type": resource.get("resourceType"),
        "params": {"_id": resource.get("id")},
        "format": "fhir",
        "max_tokens": min(MAX_MAX_TOKENS, estimate_tokens(shown) + 1_000),
    }
    call = compact_json(arguments)
    return f" | [{len(shown)} characters of JSON, more than fhir_get shows; all of it: fhir_search {call}]"


def _shown_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as `format="fhir"` shows it (attachment data elided), in the text and the structured copy."""
    trimmed, _ = elide_attachment_data(resource)
    return dict(trimmed)


def _positions(signer: CursorSigner, cursor: str | None, fingerprint: str, names: list[str]) -> dict[str, Position]:
    if not cursor:
        return {name: Position() for name in names}
    state = signer.open(cursor, fingerprint)
    raw = state.get("p")
    if not isinstance(raw, dict) or not set(raw) <= set(names):
        raise InvalidCursorError("the cursor names sources this query does not cover")
    try:
        return {name: Position.from_state(value) for name, value in raw.items() if isinstance(value, dict)}
    except ValueError:
        raise InvalidCursorError("the cursor is damaged (bad position)") from None


async def _open(reader: PageReader) -> FhirClientError | None:
    try:
        await reader.open()
    except FhirClientError as error:
        return error
    return None


def _frame_tokens(
    query: Query,
    readers: Mapping[str, PageReader],
    signer: CursorSigner,
    fmt: AnswerFormat,
    *,
    budget: int,
    federated: bool,
) -> int:
    """What the answer shows besides rows, included rows and notes: header, legend, the fence's warning, one
    block per source and the tail with a cursor, rendered with placeholder counts and the longest cursor the
    answer can end with: past the current page only when the budget could hold all its pending rows."""
    furthest, sections = {}, []
    for name, reader in readers.items():
        could_cross = _could_finish_page(reader, fmt, budget)
        last_row = _LARGE if could_cross else reader.shown + len(reader.pending())
        url = reader.furthest_url if could_cross else reader.page_url
        furthest[name] = Position(url, last_row, last_row, reader.unsorted, reader.total)
        total = reader.total if reader.total is not None else _LARGE
        sections.append(SourceSection(name, total, first_row=last_row, shown_through=last_row, items=["x"]))
    cursor = signer.sign(
        query_fingerprint("", {}), {"p": {name: position.to_state() for name, position in furthest.items()}}
    )
    parts = AnswerParts(query=query, sections=sections, fmt=fmt, federated=federated, next_cursor=cursor)
    return estimate_frame_tokens(render_answer(parts)[0]) + _FRAME_MARGIN_TOKENS


class _RowTaker:
    """Takes rows into sections, source after source, while the answer's room lasts. The first row of an
    answer is always taken, so paging always progresses."""

    def __init__(self, room: int, fmt: AnswerFormat, resource_type: str) -> None:
        self.room = room
        self.fmt = fmt
        self.resource_type = resource_type
        self.taken_any = False
        self.shown: list[dict[str, Any]] = []
        """With format "fhir", each resource taken (as shown), for the structured copy."""

    async def section(self, name: str, reader: PageReader) -> SourceSection:
        """The section of source `name`: what fits of its rows from the reader's position on, page by page."""
        section = SourceSection(name, total=reader.total, first_row=reader.shown + 1)
        while self._take_pending(section, name, reader):
            self._take_included(section, reader)
            try:
                if not await reader.advance():
                    break
            except FhirClientError as page_error:
                failure = to_tool_error(page_error, source=name, target=f"Next page of {self.resource_type}")
                section.notes.append(f"stopped early: {failure}")
                break
        section.notes = [*reader.notes, *section.notes]
        section.shown_through = reader.shown
        return section

    def _take_pending(self, section: SourceSection, name: str, reader: PageReader) -> bool:
        """Take the page's pending rows; False when the room ran out before they were all taken."""
        for resource in reader.pending():
            text, prose = _item(resource, self.fmt)
            cost = estimate_tokens(text) + sum(estimate_tokens(p) for p in prose) + 2
            if cost > self.room and self.taken_any:
                return False
            self.room -= cost
            self.taken_any = True
            section.items.append(text)
            section.prose += prose
            if self.fmt == "fhir":
                self.shown.append({"source": name, "resource": _shown_resource(resource)})
            reader.consume()
        return True

    def _take_included(self, section: SourceSection, reader: PageReader) -> None:
        """Take the page's included rows that fit; count the others."""
        for included in reader.included():
            text, _ = _item(included, self.fmt)
            cost = estimate_tokens(text) + 2
            if cost > self.room:
                section.included_omitted += 1
                continue
            self.room -= cost
            section.included.append(text)


async def answer_query(
    query: Query,
    sources: Sequence[RecordSource],
    *,
    signer: CursorSigner,
    fingerprint: str,
    cursor: str | None,
    max_tokens: int,
    fmt: AnswerFormat = "rows",
    federated: bool,
) -> Answer:
    """Run `query` on `sources` from the cursor's positions (or the start) and render the answer."""
    by_name = {source.name: source for source in sources}
    positions = _positions(signer, cursor, fingerprint, list(by_name))
    readers = {
        name: PageReader(
            by_name[name].client, query.resource_type, query.params, pos, strict=by_name[name].kind == "kaiser"
        )
        for name, pos in positions.items()
    }
    failures = dict(zip(readers, await asyncio.gather(*(_open(r) for r in readers.values())), strict=True))
    sections: list[SourceSection] = []
    left: dict[str, Position] = {}
    known_notes = [str(f) for f in failures.values() if f is not None]
    known_notes += [note for reader in readers.values() for note in reader.notes]
    frame = _frame_tokens(query, readers, signer, fmt, budget=max_tokens, federated=federated)
    room = max_tokens - frame - sum(estimate_tokens(note) + 10 for note in known_notes)
    taker = _RowTaker(room, fmt, query.resource_type)
    for name, reader in readers.items():
        failed = failures[name]
        if failed is not None:
            target = f"Search {query.resource_type}"
            message = str(to_tool_error(failed, source=name, target=target, login_hint=by_name[name].login_hint))
            if not federated:
                raise ToolError(message)
            # Not carried in the cursor: paging must end even while a source stays down.
            sections.append(SourceSection(name, failure=message))
            continue
        sections.append(await taker.section(name, reader))
        if (position := reader.position()) is not None:
            left[name] = position
    if sections and all(section.failure is not None for section in sections):
        raise ToolError("Every source failed:\n" + "\n".join(f"- {s.name}: {s.failure}" for s in sections))
    next_cursor = signer.sign(fingerprint, {"p": {n: p.to_state() for n, p in left.items()}}) if left else None
    parts = AnswerParts(query=query, sections=sections, fmt=fmt, federated=federated, next_cursor=next_cursor)
    text, structured = render_answer(parts)
    if fmt == "rows":  # the text holds the rows: no second copy (docs/decisions.md)
        return Answer(text=text, structured=None)
    # The same resources the text holds, so structured and text agree.
    structured[UNTRUSTED_KEY] = {"rows": [], "resources": taker.shown}
    return Answer(text=text, structured=structured)
