"""What changed in the record after a given time: the one change source behind the web overview's "new since
you last looked", the scheduled sync's desktop notification and the MCP tool `whats_new`.

A change is a stored resource whose ``meta.lastUpdated`` (the store's ``last_updated``) is after ``since``:
the store keeps a resource's time when a sync brings it unchanged, so only new or changed ones count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from gateway.search import MAX_COUNT, parse_search
from gateway.store.protocol import ResourceStore
from gateway.store.records import StoredResource

__all__ = ["NEWS_KINDS", "NewsCount", "NewsKind", "changed_since", "news_since"]


@dataclass(frozen=True)
class NewsKind:
    slug: str
    label: str
    """Plural, for "2 new results"."""
    resource_type: str


NEWS_KINDS = (
    NewsKind("results", "new results", "DiagnosticReport"),
    NewsKind("messages", "new messages", "Communication"),
    NewsKind("notes", "new visit notes and documents", "DocumentReference"),
    NewsKind("appointments", "new or changed appointments", "Appointment"),
)


@dataclass(frozen=True)
class NewsCount:
    kind: NewsKind
    changed: tuple[StoredResource, ...]

    @property
    def count(self) -> int:
        return len(self.changed)


def changed_since(store: ResourceStore, resource_type: str, since: datetime | None) -> list[StoredResource]:
    """The stored resources of a type that changed after ``since`` (all of them when ``since`` is None)."""
    request = parse_search(resource_type, [("_count", str(MAX_COUNT))])
    found: list[StoredResource] = []
    cursor: str | None = None
    while True:
        page = store.search(replace(request, cursor=cursor))
        found += [entry for entry in page.entries if since is None or entry.last_updated > since]
        cursor = page.next_cursor
        if cursor is None:
            return found


def news_since(store: ResourceStore, since: datetime | None) -> list[NewsCount]:
    """Per kind of news (results, messages, notes, appointments), what changed after ``since``."""
    return [NewsCount(kind, tuple(changed_since(store, kind.resource_type, since))) for kind in NEWS_KINDS]
