"""The text of an answer: header, the record data by source inside the answer's fence, notes, and what is left.

The last line always says whether everything was shown; if not, how many rows remain per
source and the exact call that continues.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mcp_server.answers.query import AnswerFormat, Query
from mcp_server.rows.row_fields import COLUMNS
from mcp_server.untrusted.fencing import UNTRUSTED_KEY, Fence

__all__ = ["AnswerParts", "SourceSection", "render_answer"]

_LEGEND = "row: Type/id | key facts, date first | status"
_LEGENDS = {
    "Observation": "row: Type/id | date | test | value (H/L/A/N flag) | ref range | status",
    "MedicationRequest": "row: Type/id | written | medication | instructions | refills left | prescriber | status",
}
# The one follow-up call for whatever a row leaves out (codings, identifiers, references, long text).
_FOLLOW_UP = "; all fields: fhir_get Type/id"


@dataclass
class SourceSection:
    """What one source contributed to an answer."""

    name: str
    total: int | None = None
    first_row: int = 1
    shown_through: int = 0
    items: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    included_omitted: int = 0
    notes: list[str] = field(default_factory=list)
    failure: str | None = None

    @property
    def remaining(self) -> int | None:
        return None if self.total is None else max(self.total - self.shown_through, 0)

    def summary(self) -> str:
        if self.failure is not None:
            return f"{self.name}: failed"
        total = f"total {self.total}" if self.total is not None else "total not reported"
        span = f"rows {self.first_row}-{self.shown_through}" if self.items else "no rows in this reply"
        return f"{self.name} {total}, {span}"


@dataclass
class AnswerParts:
    query: Query
    sections: list[SourceSection]
    fmt: AnswerFormat
    federated: bool
    next_cursor: str | None


def _record_data(parts: AnswerParts, section: SourceSection) -> str:
    """What `section`'s source wrote (rows, included rows, free text), to go inside the answer's fence."""
    if parts.fmt == "fhir":
        if not section.items and not section.included:
            return ""
        entries = ",".join(f'{{"resource":{item}}}' for item in [*section.items, *section.included])
        total = f',"total":{section.total}' if section.total is not None else ""
        return f'{{"resourceType":"Bundle","type":"searchset"{total},"entry":[{entries}]}}'
    lines = list(section.items)
    lines += [f"+ {row}" for row in section.included]
    lines += section.prose
    return "\n".join(lines)


def _tail(parts: AnswerParts) -> list[str]:
    failed = [s.name for s in parts.sections if s.failure is not None]
    retry = f" Sources that failed ({', '.join(failed)}) are not in the cursor: ask them again later." if failed else ""
    if parts.next_cursor is None:
        return [("All results shown." if not failed else "All results from the answering sources shown.") + retry]
    waiting = [s for s in parts.sections if s.failure is None and s.remaining != 0]
    known = [s.remaining for s in waiting if s.remaining is not None]
    what = f"{sum(known)} more rows" if len(known) == len(waiting) else "More rows"
    if len(waiting) > 1:
        what += " (" + ", ".join(f"{s.name} {'?' if s.remaining is None else s.remaining}" for s in waiting) + ")"
    return [
        f"{what} not shown. To continue, call {parts.query.tool} with the same arguments and "
        f'cursor="{parts.next_cursor}"' + retry,
    ]


def render_answer(parts: AnswerParts) -> tuple[str, dict[str, Any]]:
    """The answer text and the structured copy (without rows, which the caller adds under `UNTRUSTED_KEY`)."""
    scope = "all sources" if parts.federated else parts.sections[0].name if parts.sections else "no source"
    header = f"{parts.query.label} on {scope}: " + "; ".join(s.summary() for s in parts.sections)
    lines = [header]
    if parts.fmt == "rows" and any(s.items for s in parts.sections):
        lines.append(_LEGENDS.get(parts.query.resource_type, _LEGEND) + _FOLLOW_UP)
    # One fence for the answer: the warning once, then one block per source with the same marker.
    fenced = Fence()
    warned = False
    for section in parts.sections:
        if record_data := _record_data(parts, section):
            if not warned:
                lines.append(fenced.warning("FHIR JSON" if parts.fmt == "fhir" else "record data"))
                warned = True
            if parts.federated and len(parts.sections) > 1:
                lines.append(f"[{section.name}]")
            lines.append(fenced.block(record_data))
        if section.included_omitted:
            lines.append(f"{section.included_omitted} included resource(s) not shown (budget); use fhir_get")
    if not any(s.items for s in parts.sections):
        lines.append("No matching rows. Check the filters, or widen them.")
    notes = [f"- {s.name}: {s.failure}" for s in parts.sections if s.failure]
    notes += [f"- {s.name}: {note}" for s in parts.sections for note in s.notes]
    if notes:
        lines.append("notes (results may be incomplete or stale):")
        lines += notes
    lines += _tail(parts)
    structured: dict[str, Any] = {
        "columns": list(COLUMNS),
        "totals": {s.name: s.total for s in parts.sections if s.failure is None},
        "notes": [note.removeprefix("- ") for note in notes],
        "next_cursor": parts.next_cursor,
        UNTRUSTED_KEY: {},
    }
    return "\n".join(lines), structured
