"""`whats_new(since?)`: what changed in the Kaiser record since the model last asked (or since a given time),
from ``gateway.record_news`` — the change source of the web overview. "Last asked" is kept in the home
(``mcp-last-asked.json``), apart from the web page's "last looked", and moves only when ``since`` is omitted.

Counts and times are fhirgate's; each changed item's id and title are record text, inside the fence."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from mcp_server.untrusted.fencing import Fence
from mcp_server.untrusted.quoting import quote_input

if TYPE_CHECKING:
    # Imported on first use (the store and its translators are not needed to list the tools).
    from gateway.store.protocol import ResourceStore

__all__ = ["LastAsked", "WhatsNewTool"]

ROWS_PER_KIND = 20
LAST_ASKED_FILE = "mcp-last-asked.json"
_TITLE_PATHS = (("code", "text"), ("topic", "text"), ("type", "text"), ("description",), ("serviceType", 0, "text"))

SinceArg = Annotated[
    str | None,
    Field(
        description="ISO date or time; omit for 'since I last asked'",
        max_length=40,
    ),
]


class LastAsked:
    """When the model last asked `whats_new` without ``since``: one time in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self) -> datetime | None:
        try:
            return datetime.fromisoformat(json.loads(self.path.read_text(encoding="utf-8"))["at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def mark(self, at: datetime) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"at": at.isoformat()}), encoding="utf-8")
        os.replace(temporary, self.path)


def _parse_since(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ToolError(f"since={quote_input(text)} is not an ISO date or time such as 2026-11-01") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _title(resource: dict[str, Any]) -> str:
    for path in _TITLE_PATHS:
        node: Any = resource
        for step in path:
            if isinstance(step, int):
                node = node[step] if isinstance(node, list) and len(node) > step else None
            else:
                node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, str) and node.strip():
            return " ".join(node.split())[:120]
    return ""


class WhatsNewTool:
    def __init__(
        self, store: ResourceStore, last_asked: LastAsked, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.store = store
        self.last_asked = last_asked
        self.clock = clock

    @classmethod
    def for_home(cls, store: ResourceStore, home: Path) -> WhatsNewTool:
        """Over a home's store, with "last asked" kept in that home."""
        return cls(store, LastAsked(home / LAST_ASKED_FILE))

    async def whats_new(self, since: SinceArg = None) -> str:
        """What changed in the Kaiser record (new results, messages, visit notes and documents, new or changed
        appointments) since you last called this without `since`, or since the given time."""
        asked_now = self.clock()
        start = _parse_since(since) if since is not None else self.last_asked.get()
        from gateway.record_news import news_since

        news = news_since(self.store, start)
        if since is None:
            self.last_asked.mark(asked_now)
        when = "ever (first time asked)" if start is None else f"{start:%Y-%m-%d %H:%M} UTC"
        counts = ", ".join(f"{item.count} {item.kind.label}" for item in news)
        lines = [f"Changes in the Kaiser record since {when}: {counts}."]
        if not any(item.count for item in news):
            return "\n".join(lines)
        fence = Fence()
        lines.append(fence.warning("ids and titles"))
        for item in news:
            if not item.count:
                continue
            newest = sorted(item.changed, key=lambda entry: entry.last_updated, reverse=True)
            rows = [
                f"{entry.resource_type}/{entry.id} | {_title(json.loads(entry.json_text))}"
                for entry in newest[:ROWS_PER_KIND]
            ]
            more = item.count - len(rows)
            lines.append(f"{item.kind.label} ({item.count}{f', newest {len(rows)} shown' if more else ''}):")
            lines.append(fence.block("\n".join(rows)))
        lines.append('Read one with fhir_get(source="kaiser", resource_type=..., id=...).')
        return "\n".join(lines)
