"""``SqliteStore``: the SQLite implementation of ``ResourceStore`` (stdlib sqlite3, WAL, files 0600).

Thread-safety: each read or transaction leases a connection from a bounded pool (``ConnectionPool``);
writes are serialized by a lock and run in ``BEGIN IMMEDIATE`` transactions, reads run in a snapshot
transaction, so a facade search never sees half of a surface write.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from gateway.search import DateRange, IndexRow, SearchRequest, extract_index_rows
from gateway.store.connections import ConnectionPool
from gateway.store.everything import everything_page
from gateway.store.history import INSERT_VERSION, read_history, read_version
from gateway.store.planner import MatchEstimates
from gateway.store.records import (
    InvalidResourceError,
    SearchPage,
    StoreDamagedError,
    StoredResource,
    StoreFullError,
    SurfaceState,
    SurfaceWriteSummary,
)
from gateway.store.reindex import ensure_index_current
from gateway.store.schema import migrate
from gateway.store.searching import run_search
from gateway.store.sync_state import read_sync_state, write_sync_state
from gateway.store.text_index import index_resource_text
from gateway.store.versioning import compact_json, content_hash, stamp, truncate_to_millis

logger = logging.getLogger(__name__)

_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{0,63}")
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
_INSERT_INDEX_ROW = (
    "INSERT INTO search_index (resource_type, resource_id, param, token_system, token_code, string_value,"
    " string_exact, date_low, date_high, reference, number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _index_params(key: tuple[str, str], row: IndexRow) -> tuple[str | int | float | None, ...]:
    return (
        *key,
        row.param,
        row.token_system,
        row.token_code,
        row.string_value,
        row.string_exact,
        row.date_low,
        row.date_high,
        row.reference,
        row.number,
    )


def _insert_index_rows(conn: sqlite3.Connection, key: tuple[str, str], rows: Iterable[IndexRow]) -> None:
    conn.executemany(_INSERT_INDEX_ROW, [_index_params(key, r) for r in rows])


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _from_iso(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return truncate_to_millis(now)


def _identity(resource: Any) -> tuple[str, str]:
    if not isinstance(resource, dict):
        raise InvalidResourceError(f"not a JSON object: {type(resource).__name__}")
    resource_type, resource_id = resource.get("resourceType"), resource.get("id")
    if not isinstance(resource_type, str) or not _RESOURCE_TYPE.fullmatch(resource_type):
        raise InvalidResourceError(f"invalid resourceType: {resource_type!r}")
    if not isinstance(resource_id, str) or not _FHIR_ID.fullmatch(resource_id):
        raise InvalidResourceError(f"invalid id for {resource_type}: {resource_id!r}")
    return resource_type, resource_id


class SqliteStore:
    """FHIR resources, their search index and surface sync state in one SQLite file."""

    def __init__(self, connections: ConnectionPool) -> None:
        self._connections = connections
        self._write_lock = threading.Lock()
        self._estimates = MatchEstimates()

    @classmethod
    def open(cls, path: Path) -> SqliteStore:
        """Open (creating if needed: parent dir 0700, file 0600) and migrate the store at ``path``."""
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
            path.parent.chmod(0o700)
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        path.chmod(0o600)
        connections = ConnectionPool(path)
        try:
            with connections.lease() as conn:
                conn.execute("PRAGMA journal_mode = WAL")
                migrate(conn)
                ensure_index_current(conn, _insert_index_rows)
        except sqlite3.DatabaseError as exc:
            connections.close_all()
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
                raise
            raise StoreDamagedError(
                f"the store {path} is damaged ({exc}); run `fhirgate doctor` for what to do"
            ) from None
        return cls(connections)

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._connections.lease() as conn:
            conn.execute(begin)
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                # SQLite may already have rolled back (it does on some SQLITE_FULL and I/O errors).
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode == sqlite3.SQLITE_FULL:
                    raise StoreFullError("disk full: the store could not be written; earlier data kept") from None
                raise

    def write_surface(
        self,
        surface: str,
        resources: Sequence[dict[str, Any]],
        *,
        problems: Sequence[str] = (),
        now: datetime,
        sync_state: Mapping[str, Any] | None = None,
    ) -> SurfaceWriteSummary:
        now = _require_aware(now)
        with self._write_lock, self._transaction("BEGIN IMMEDIATE") as conn:
            if sync_state is not None:
                write_sync_state(conn, surface, sync_state)
            seen: dict[tuple[str, str], str] = {}
            counts = {"new": 0, "updated": 0, "unchanged": 0}
            for resource in resources:
                key = _identity(resource)
                digest = content_hash(resource)
                if key in seen:
                    if seen[key] != digest:
                        raise InvalidResourceError(f"{key[0]}/{key[1]} appears twice with different content")
                    continue
                seen[key] = digest
                counts[self._upsert(conn, surface, key, resource, digest, now)] += 1
            types = sorted({resource_type for resource_type, _ in seen})
            conn.execute(
                "INSERT INTO surfaces (surface, last_success, last_attempt, last_error, problems, resource_types)"
                " VALUES (?, ?, ?, NULL, ?, ?) ON CONFLICT (surface) DO UPDATE SET"
                " last_success = excluded.last_success, last_attempt = excluded.last_attempt,"
                " last_error = NULL, problems = excluded.problems, resource_types = excluded.resource_types",
                (surface, _iso(now), _iso(now), json.dumps(list(problems)), json.dumps(types)),
            )
        self._estimates.clear()
        summary = SurfaceWriteSummary(**counts)
        logger.info("surface written surface=%s new=%d updated=%d unchanged=%d", surface, *counts.values())
        return summary

    def _upsert(
        self,
        conn: sqlite3.Connection,
        surface: str,
        key: tuple[str, str],
        resource: dict[str, Any],
        digest: str,
        now: datetime,
    ) -> str:
        row = conn.execute(
            "SELECT version_id, content_hash FROM resources WHERE resource_type = ? AND id = ?", key
        ).fetchone()
        if row is not None and row[1] == digest:
            return "unchanged"
        version = 1 if row is None else row[0] + 1
        stamped = stamp(resource, version, now)
        conn.execute(
            "INSERT INTO resources (resource_type, id, version_id, last_updated, source, content_hash, json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (resource_type, id) DO UPDATE SET"
            " version_id = excluded.version_id, last_updated = excluded.last_updated,"
            " source = excluded.source, content_hash = excluded.content_hash, json = excluded.json",
            (*key, version, _iso(now), surface, digest, compact_json(stamped)),
        )
        conn.execute(INSERT_VERSION, (*key, version, _iso(now), compact_json(stamped)))
        conn.execute("DELETE FROM search_index WHERE resource_type = ? AND resource_id = ?", key)
        _insert_index_rows(conn, key, extract_index_rows(stamped))
        index_resource_text(conn, key, stamped)
        return "new" if row is None else "updated"

    def record_surface_failure(self, surface: str, error: str, *, now: datetime) -> None:
        now = _require_aware(now)
        with self._write_lock, self._transaction("BEGIN IMMEDIATE") as conn:
            conn.execute(
                "INSERT INTO surfaces (surface, last_attempt, last_error) VALUES (?, ?, ?)"
                " ON CONFLICT (surface) DO UPDATE SET"
                " last_attempt = excluded.last_attempt, last_error = excluded.last_error",
                (surface, _iso(now), error),
            )
        logger.warning("surface failed surface=%s error=%s", surface, error)

    def read(self, resource_type: str, resource_id: str) -> StoredResource | None:
        with self._connections.lease() as conn:
            row = conn.execute(
                "SELECT version_id, last_updated, json FROM resources WHERE resource_type = ? AND id = ?",
                (resource_type, resource_id),
            ).fetchone()
        if row is None:
            return None
        return StoredResource(resource_type, resource_id, row[0], datetime.fromisoformat(row[1]), row[2])

    def search(self, request: SearchRequest) -> SearchPage:
        with self._transaction("BEGIN") as conn:
            return run_search(conn, request, self._estimates)

    def read_version(self, resource_type: str, resource_id: str, version_id: int) -> StoredResource | None:
        with self._connections.lease() as conn:
            return read_version(conn, resource_type, resource_id, version_id)

    def history(self, resource_type: str, resource_id: str) -> list[StoredResource]:
        with self._connections.lease() as conn:
            return read_history(conn, resource_type, resource_id)

    def everything(
        self,
        patient_id: str,
        *,
        since: datetime | None,
        types: Sequence[str],
        count: int,
        cursor: str | None,
        window: DateRange | None = None,
    ) -> SearchPage:
        with self._transaction("BEGIN") as conn:
            return everything_page(
                conn, patient_id, since=since, types=types, count=count, cursor=cursor, window=window
            )

    def get_sync_state(self, surface: str) -> dict[str, Any]:
        with self._connections.lease() as conn:
            return read_sync_state(conn, surface)

    def surface_states(self) -> list[SurfaceState]:
        with self._connections.lease() as conn:
            rows = conn.execute(
                "SELECT surface, last_success, last_attempt, last_error, problems, resource_types"
                " FROM surfaces ORDER BY surface"
            ).fetchall()
        return [
            SurfaceState(
                surface=r[0],
                last_success=_from_iso(r[1]),
                last_attempt=_from_iso(r[2]),
                last_error=r[3],
                problems=tuple(json.loads(r[4])),
                resource_types=tuple(json.loads(r[5])),
            )
            for r in rows
        ]

    def close(self) -> None:
        self._connections.close_all()
