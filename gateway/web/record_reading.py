"""Reading the record for the web pages: every stored resource of a type (parsed once per request), one
resource, and where each fact came from. The pages read the store the facade serves, never a copy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from gateway.record_news import changed_since
from gateway.search import MAX_COUNT, parse_search
from gateway.store.protocol import ResourceStore
from gateway.store.records import StoredResource
from gateway.web.practice_reading import PRACTICE_SOURCE_PREFIX

__all__ = ["LIVE", "FactOrigin", "RecordReader", "Resource", "origin_of"]

Resource = dict[str, Any]

_SOURCE_PREFIX = "urn:fhirgate:"
LIVE = "read live"
"""The surface a practice's fact shows: practices are read when the page asks, not synced."""
_SOURCE_NAMES = {"kaiser": "Kaiser"}


@dataclass(frozen=True, slots=True)
class FactOrigin:
    """Where a fact came from: the source (and its portal surface), when it was fetched, and the link to
    the stored FHIR JSON (a web-app route: the page never holds the facade's bearer token)."""

    source: str
    surface: str
    fetched: str
    json_url: str


def origin_of(resource: Resource) -> FactOrigin:
    meta = resource.get("meta") or {}
    meta_source = str(meta.get("source", ""))
    path = f"{resource.get('resourceType', '')}/{quote(str(resource.get('id', '')), safe='')}"
    if meta_source.startswith(PRACTICE_SOURCE_PREFIX):  # read live from a practice (see practice_reading)
        name = meta_source.removeprefix(PRACTICE_SOURCE_PREFIX)
        fetched = fetched_text(str(meta.get("lastUpdated", "")))
        return FactOrigin(name, LIVE, fetched, f"/practice/{quote(name, safe='')}/{path}")
    source, surface = _source_and_surface(meta_source)
    return FactOrigin(
        source=source,
        surface=surface,
        fetched=fetched_text(str(meta.get("lastUpdated", ""))),
        json_url=f"/resource/{path}",
    )


def fetched_text(last_updated: str) -> str:
    """``2026-11-23T12:00:11.000Z`` as ``2026-11-23 12:00 UTC``."""
    if len(last_updated) < 16:
        return last_updated or "unknown"
    return f"{last_updated[:10]} {last_updated[11:16]} UTC"


def _source_and_surface(meta_source: str) -> tuple[str, str]:
    """``urn:fhirgate:kaiser:test-results`` → (``Kaiser``, ``test-results``); other URIs are shown as given."""
    if meta_source.startswith(_SOURCE_PREFIX):
        parts = meta_source[len(_SOURCE_PREFIX) :].split(":", 1)
        name = _SOURCE_NAMES.get(parts[0], parts[0])
        return name, parts[1] if len(parts) > 1 else ""
    return meta_source or "unknown", ""


class RecordReader:
    """The store as the pages need it. ``all`` reads a type in pages of ``MAX_COUNT`` (the largest sandbox
    patient holds ~1,600 observations: a few pages, well under a second), followed by what the page read
    from practices (``with_practices``)."""

    def __init__(self, store: ResourceStore, practices: Mapping[str, list[Resource]] | None = None) -> None:
        self.store = store
        self.practices: Mapping[str, list[Resource]] = practices or {}

    def with_practices(self, practices: Mapping[str, list[Resource]]) -> RecordReader:
        """This store's reader, with ``practices``' resources (by type, origin-stamped) after the store's."""
        return RecordReader(self.store, practices)

    def stored(self, resource_type: str) -> list[StoredResource]:
        request = parse_search(resource_type, [("_count", str(MAX_COUNT))])
        found: list[StoredResource] = []
        cursor: str | None = None
        while True:
            page = self.store.search(replace(request, cursor=cursor))
            found += page.entries
            cursor = page.next_cursor
            if cursor is None:
                return found

    def all(self, resource_type: str) -> list[Resource]:
        stored = [json.loads(entry.json_text) for entry in self.stored(resource_type)]
        return stored + list(self.practices.get(resource_type, []))

    def one(self, resource_type: str, resource_id: str) -> Resource | None:
        found = self.store.read(resource_type, resource_id[:128])
        return None if found is None else dict(json.loads(found.json_text))

    def json_text(self, resource_type: str, resource_id: str) -> str | None:
        found = self.store.read(resource_type, resource_id[:128])
        return None if found is None else found.json_text

    def updated_since(self, resource_type: str, since: datetime | None) -> int:
        """How many resources of a type changed here after ``since`` (all of them when never looked)."""
        return len(changed_since(self.store, resource_type, since))
