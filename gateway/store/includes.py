"""``_include`` and ``_revinclude`` (with one ``:iterate`` level), resolved on the reference index."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from gateway.search import IncludeSpec
from gateway.store.records import StoredResource
from gateway.store.rows import read_many

_BATCH = 400


def _chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]


def _forward(conn: sqlite3.Connection, spec: IncludeSpec, sources: Sequence[StoredResource]) -> list[tuple[str, str]]:
    ids = [s.id for s in sources if s.resource_type == spec.source_type]
    found: list[tuple[str, str]] = []
    for chunk in _chunks(ids):
        marks = ", ".join("?" for _ in chunk)
        # Without the hint SQLite walks every reference of the parameter (its index leads with the value).
        rows = conn.execute(
            "SELECT DISTINCT reference FROM search_index INDEXED BY search_index_resource"  # noqa: S608
            f" WHERE resource_type = ? AND param = ? AND resource_id IN ({marks}) AND reference IS NOT NULL",
            [spec.source_type, spec.parameter.name, *chunk],
        )
        for (reference,) in rows:
            target_type, _, target_id = reference.partition("/")
            if spec.target_type in (None, target_type):
                found.append((target_type, target_id))
    return found


def _reverse(conn: sqlite3.Connection, spec: IncludeSpec, targets: Sequence[StoredResource]) -> list[tuple[str, str]]:
    allowed = spec.target_type or None
    refs = [f"{t.resource_type}/{t.id}" for t in targets if allowed in (None, t.resource_type)]
    refs = [r for r in refs if r.partition("/")[0] in spec.parameter.targets]
    found: list[tuple[str, str]] = []
    for chunk in _chunks(refs):
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            "SELECT DISTINCT resource_id FROM search_index"  # noqa: S608
            f" WHERE resource_type = ? AND param = ? AND reference IN ({marks})",
            [spec.source_type, spec.parameter.name, *chunk],
        )
        found += [(spec.source_type, resource_id) for (resource_id,) in rows]
    return found


def _level(
    conn: sqlite3.Connection,
    includes: Sequence[IncludeSpec],
    revincludes: Sequence[IncludeSpec],
    sources: Sequence[StoredResource],
) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = []
    for spec in includes:
        keys += _forward(conn, spec, sources)
    for spec in revincludes:
        keys += _reverse(conn, spec, sources)
    return keys


def resolve_includes(
    conn: sqlite3.Connection,
    matches: Sequence[StoredResource],
    includes: Sequence[IncludeSpec],
    revincludes: Sequence[IncludeSpec],
) -> list[StoredResource]:
    """Resources the include specs reach from ``matches`` (not the matches themselves), each once.

    Non-iterate specs apply to the matches; ``:iterate`` specs apply to the matches and, once more, to
    what the first level included (fhirgate stops there: one level, as the CapabilityStatement says).
    """
    seen = {(m.resource_type, m.id) for m in matches}
    first_keys = [k for k in _level(conn, includes, revincludes, matches) if k not in seen]
    first = read_many(conn, first_keys)
    seen.update((r.resource_type, r.id) for r in first)
    iterating_in = [s for s in includes if s.iterate]
    iterating_rev = [s for s in revincludes if s.iterate]
    if not (iterating_in or iterating_rev) or not first:
        return first
    second_keys = [k for k in _level(conn, iterating_in, iterating_rev, first) if k not in seen]
    return first + read_many(conn, second_keys)
