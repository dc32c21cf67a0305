"""Bundles assembled as text: stored resource JSON is spliced in (trimmed only when asked), never re-parsed."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from gateway.facade.shaping import shape
from gateway.search import SearchRequest
from gateway.store import SearchPage, StoredResource
from gateway.store.records import TextMatch
from gateway.store.versioning import format_instant


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def page_url(base: str, path: str, query: str, cursor: str | None) -> str:
    """Absolute URL of one page (canonical query, plus the cursor for pages after the first)."""
    if cursor is not None:
        query = (query + "&" if query else "") + urlencode({"_cursor": cursor})
    prefix = f"{base}/{path}" if path else base
    return f"{prefix}?{query}" if query else prefix


@lru_cache(maxsize=8)
def _quoted_base(base: str) -> str:
    return dumps(base)[:-1]  # the opening quote and the escaped base, without the closing quote


SNIPPET_EXTENSION = "urn:fhirgate:search:snippet"
"""``Bundle.entry.search`` extension: the words around a ``_content``/``_text`` hit, hits in ``[...]``."""


def _search_text(mode: str, match: TextMatch | None) -> str:
    if match is None:
        return f'{{"mode":"{mode}"}}'
    # FHIR's score is higher-is-better; bm25 is lower-is-better (and negative), so its negation serves.
    search = {"mode": mode, "score": round(-match.bm25, 6)}
    search["extension"] = [{"url": SNIPPET_EXTENSION, "valueString": match.snippet}]
    return dumps(search)


def entry_text(
    base: str, stored: StoredResource, mode: str, resource_text: str | None = None, match: TextMatch | None = None
) -> str:
    text = stored.json_text if resource_text is None else resource_text
    # The store admits only [A-Za-z] types and [A-Za-z0-9-.] ids: appended as they are, they stay valid JSON.
    full_url = f'{_quoted_base(base)}/{stored.resource_type}/{stored.id}"'
    return f'{{"fullUrl":{full_url},"resource":{text},"search":{_search_text(mode, match)}}}'


def outcome_entry_text(outcome: dict[str, Any]) -> str:
    return dumps({"resource": outcome, "search": {"mode": "outcome"}})


def links(base: str, path: str, query: str, page: SearchPage, cursor: str | None) -> list[dict[str, str]]:
    found = [{"relation": "self", "url": page_url(base, path, query, cursor)}]
    if page.next_cursor is not None:
        found.append({"relation": "next", "url": page_url(base, path, query, page.next_cursor)})
    if page.previous_cursor is not None:
        found.append({"relation": "previous", "url": page_url(base, path, query, page.previous_cursor)})
    return found


def bundle_chunks(head: dict[str, Any], entries: Sequence[str], *, chunk_entries: int = 64) -> Iterator[str]:
    """A Bundle's JSON text in pieces: ``head`` (type, total, link), then the entries a few at a time."""
    opening = dumps(head)[:-1]
    if not entries:
        yield opening + "}"
        return
    yield opening + ',"entry":['
    for start in range(0, len(entries), chunk_entries):
        yield ("," if start else "") + ",".join(entries[start : start + chunk_entries])
    yield "]}"


def searchset_text(
    base: str, request: SearchRequest, page: SearchPage, outcomes: Sequence[dict[str, Any]], *, path: str
) -> str:
    """The searchset Bundle for one page: matches, then includes, then outcome entries."""
    head: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if page.total is not None:
        head["total"] = page.total
    head["link"] = links(base, path, request.canonical_query(), page, request.cursor)
    entries = [
        entry_text(base, s, "match", shape(s.json_text, request.summary, request.elements), page.text_matches.get(s.id))
        for s in page.entries
    ]
    entries += [
        entry_text(base, s, "include", shape(s.json_text, request.summary, request.elements)) for s in page.included
    ]
    entries += [outcome_entry_text(outcome) for outcome in outcomes]
    return "".join(bundle_chunks(head, entries))


def history_text(base: str, path: str, versions: Sequence[StoredResource]) -> str:
    """A history Bundle (newest first) for one resource."""
    head = {
        "resourceType": "Bundle",
        "type": "history",
        "total": len(versions),
        "link": [{"relation": "self", "url": f"{base}/{path}"}],
    }
    entries = [
        dumps({"fullUrl": f"{base}/{v.resource_type}/{v.id}"})[:-1]
        + f',"resource":{v.json_text},"request":'
        + dumps({"method": "POST" if v.version_id == 1 else "PUT", "url": f"{v.resource_type}/{v.id}"})
        + ',"response":'
        + dumps(
            {
                "status": "201 Created" if v.version_id == 1 else "200 OK",
                "etag": f'W/"{v.version_id}"',
                "lastModified": format_instant(v.last_updated),
            }
        )
        + "}"
        for v in versions
    ]
    return "".join(bundle_chunks(head, entries))
