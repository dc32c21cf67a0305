"""Reading searchset Bundles: links, entries by search mode, and search parameters.

Pure functions over Bundle JSON, shared by the client's paging and by renderers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeAlias

__all__ = ["SearchParams", "bundle_link", "entries", "normalize_params"]

#: Search parameters as a mapping (a list value repeats the parameter, e.g. two `date`
#: bounds) or as ordered `(name, value)` pairs.
SearchParams: TypeAlias = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


def normalize_params(params: SearchParams | None) -> list[tuple[str, str]]:
    """Flatten search parameters into ordered `(name, value)` pairs."""
    if params is None:
        return []
    if isinstance(params, Mapping):
        pairs: list[tuple[str, str]] = []
        for name, value in params.items():
            if isinstance(value, str):
                pairs.append((name, value))
            else:
                pairs.extend((name, item) for item in value)
        return pairs
    return [(name, value) for name, value in params]


def bundle_link(bundle: Mapping[str, Any], relation: str) -> str | None:
    """The URL of the Bundle link with `relation` (`self`, `next`, `previous`), if any."""
    links = bundle.get("link")
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("relation") == relation:
            url = link.get("url")
            if isinstance(url, str) and url:
                return url
    return None


def entries(bundle: Mapping[str, Any], *modes: str | None) -> Iterator[dict[str, Any]]:
    """Yield the Bundle entries' resources whose `search.mode` is one of `modes`.

    `None` among `modes` selects entries that carry no search mode at all. With no
    `modes`, every entry's resource is yielded.
    """
    raw_entries = bundle.get("entry")
    if not isinstance(raw_entries, list):
        return
    for entry in raw_entries:
        if not isinstance(entry, dict):
            continue
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        search = entry.get("search")
        mode = search.get("mode") if isinstance(search, dict) else None
        if not modes or mode in modes:
            yield resource
