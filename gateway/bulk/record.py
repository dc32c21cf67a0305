"""The whole record as the store holds it, read through the store's normal read path.

``system_record`` pages a search per resource type (``_lastUpdated=ge`` for ``since``); ``patient_record``
pages ``Patient/{id}/$everything`` for every patient (the compartment and what it references). Both then
add the Binary resources the exported resources point at (attachment ``url`` or ``reference``
``Binary/<id>``), read one by one, since Binary is not searchable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from gateway.search import MAX_COUNT, parse_search
from gateway.search.parameters import SEARCHABLE_RESOURCE_TYPES
from gateway.store import ResourceStore, StoredResource

BINARY = "Binary"
EXPORTABLE_TYPES = (*sorted(SEARCHABLE_RESOURCE_TYPES), BINARY)
_BINARY_REF = re.compile(r"Binary/([A-Za-z0-9\-.]{1,64})")

Cancelled = Callable[[], bool]


def _never() -> bool:
    return False


def _since_params(since: datetime | None) -> list[tuple[str, str]]:
    return [("_lastUpdated", "ge" + since.isoformat())] if since is not None else []


def type_totals(store: ResourceStore, types: Collection[str], since: datetime | None) -> dict[str, int]:
    """How many resources of each searchable type ``system_record`` will read (Binary is not counted)."""
    totals: dict[str, int] = {}
    for resource_type in types:
        if resource_type == BINARY:
            continue
        request = parse_search(resource_type, [*_since_params(since), ("_total", "accurate"), ("_count", "0")])
        totals[resource_type] = store.search(request).total or 0
    return totals


def _binary_ids(value: Any, found: dict[str, None]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("url", "reference") and isinstance(item, str):
                match = _BINARY_REF.fullmatch(item)
                if match:
                    found[match.group(1)] = None
            else:
                _binary_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _binary_ids(item, found)


def binary_ids(json_text: str) -> list[str]:
    """Ids of the Binary resources a resource's attachments or references point at (relative links only)."""
    if "Binary/" not in json_text:
        return []
    found: dict[str, None] = {}
    _binary_ids(json.loads(json_text), found)
    return list(found)


def _with_binaries(
    store: ResourceStore,
    resources: Iterator[StoredResource],
    types: Collection[str],
    since: datetime | None,
    cancelled: Cancelled,
) -> Iterator[StoredResource]:
    wanted = set(types)
    binaries: dict[str, None] = {}
    for stored in resources:
        if BINARY in wanted:
            binaries.update(dict.fromkeys(binary_ids(stored.json_text)))
        if stored.resource_type in wanted:
            yield stored
    for binary_id in binaries:
        if cancelled():
            return
        binary = store.read(BINARY, binary_id)
        if binary is not None and (since is None or binary.last_updated >= since):
            yield binary


def system_record(
    store: ResourceStore,
    types: Collection[str] = EXPORTABLE_TYPES,
    since: datetime | None = None,
    cancelled: Cancelled = _never,
) -> Iterator[StoredResource]:
    """Every stored resource of ``types`` changed at or after ``since``, type by type, then the Binaries."""
    # Binary is found through the resources pointing at it, so asking for it means reading every type.
    scanned = EXPORTABLE_TYPES if BINARY in types else types
    return _with_binaries(store, _searched(store, scanned, since, cancelled), types, since, cancelled)


def _searched(
    store: ResourceStore, types: Collection[str], since: datetime | None, cancelled: Cancelled
) -> Iterator[StoredResource]:
    for resource_type in types:
        if resource_type == BINARY:
            continue
        request = parse_search(resource_type, [*_since_params(since), ("_count", str(MAX_COUNT))])
        while not cancelled():
            page = store.search(request)
            yield from page.entries
            if page.next_cursor is None:
                break
            request = replace(request, cursor=page.next_cursor)


def patient_record(
    store: ResourceStore,
    types: Collection[str] = EXPORTABLE_TYPES,
    since: datetime | None = None,
    cancelled: Cancelled = _never,
) -> Iterator[StoredResource]:
    """Each patient's ``$everything`` (compartment + referenced resources, each once), then the Binaries."""
    scanned = () if BINARY in types else tuple(t for t in types if t != BINARY)
    return _with_binaries(store, _everything(store, scanned, since, cancelled), types, since, cancelled)


def _everything(
    store: ResourceStore, types: tuple[str, ...], since: datetime | None, cancelled: Cancelled
) -> Iterator[StoredResource]:
    seen: set[tuple[str, str]] = set()
    for patient in _searched(store, ("Patient",), None, cancelled):
        cursor: str | None = None
        while not cancelled():
            page = store.everything(patient.id, since=since, types=types, count=MAX_COUNT, cursor=cursor)
            for stored in (*page.entries, *page.included):
                key = (stored.resource_type, stored.id)
                if key not in seen:
                    seen.add(key)
                    yield stored
            cursor = page.next_cursor
            if cursor is None:
                break
