"""Schema migrations, applied in order and tracked with ``PRAGMA user_version``."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

from gateway.store.sync_state import MIGRATION as SYNC_STATE_MIGRATION
from gateway.store.text_index import CREATE_TEXT_INDEX, rebuild_text_index

logger = logging.getLogger(__name__)


def _create_text_index(conn: sqlite3.Connection) -> None:
    conn.execute(CREATE_TEXT_INDEX)
    rebuild_text_index(conn)


_MIGRATIONS: tuple[str | Callable[[sqlite3.Connection], None], ...] = (
    # 1: resources, the search index (value indexes end in resource_id so they cover), surface state
    """
    CREATE TABLE resources (
        resource_type TEXT NOT NULL,
        id            TEXT NOT NULL,
        version_id    INTEGER NOT NULL,
        last_updated  TEXT NOT NULL,
        source        TEXT NOT NULL,
        content_hash  TEXT NOT NULL,
        json          TEXT NOT NULL,
        PRIMARY KEY (resource_type, id)
    );
    CREATE TABLE search_index (
        resource_type TEXT NOT NULL,
        resource_id   TEXT NOT NULL,
        param         TEXT NOT NULL,
        token_system  TEXT,
        token_code    TEXT,
        string_value  TEXT,
        string_exact  TEXT,
        date_low      INTEGER,
        date_high     INTEGER,
        reference     TEXT,
        number        REAL
    );
    CREATE INDEX search_index_token ON search_index (resource_type, param, token_code, token_system, resource_id);
    CREATE INDEX search_index_system ON search_index (resource_type, param, token_system, resource_id);
    CREATE INDEX search_index_string ON search_index (resource_type, param, string_value, resource_id);
    CREATE INDEX search_index_date ON search_index (resource_type, param, date_low, date_high, resource_id);
    CREATE INDEX search_index_reference ON search_index (resource_type, param, reference, resource_id);
    CREATE INDEX search_index_number ON search_index (resource_type, param, number, resource_id);
    CREATE INDEX search_index_resource ON search_index (resource_type, resource_id, param);
    CREATE TABLE surfaces (
        surface        TEXT PRIMARY KEY,
        last_success   TEXT,
        last_attempt   TEXT,
        last_error     TEXT,
        problems       TEXT NOT NULL DEFAULT '[]',
        resource_types TEXT NOT NULL DEFAULT '[]'
    );
    """,
    # 2: every version ever stored (vread, history-instance); backfilled with the current versions
    """
    CREATE TABLE resource_history (
        resource_type TEXT NOT NULL,
        id            TEXT NOT NULL,
        version_id    INTEGER NOT NULL,
        last_updated  TEXT NOT NULL,
        json          TEXT NOT NULL,
        PRIMARY KEY (resource_type, id, version_id)
    );
    INSERT INTO resource_history (resource_type, id, version_id, last_updated, json)
        SELECT resource_type, id, version_id, last_updated, json FROM resources;
    CREATE INDEX search_index_target ON search_index (reference, resource_type, resource_id)
        WHERE reference IS NOT NULL;
    """,
    # 3: per-surface sync state for incremental syncs (gateway.store.sync_state)
    SYNC_STATE_MIGRATION,
    # 4: date ranges by their end too, so `ge`/`gt`/`eb` seek instead of scanning from the oldest date;
    # the conditions' extra bounds assume non-empty ranges, so older rows of inverted Periods become one instant
    """
    UPDATE search_index SET date_high = date_low + 1 WHERE date_high <= date_low;
    CREATE INDEX search_index_date_high ON search_index (resource_type, param, date_high, date_low, resource_id)
        WHERE date_high IS NOT NULL;
    """,
    # 5: value indexes hold only the rows with a value of their kind (a third of the size); the token index
    # stays whole, as the (resource_type, param) index of last resort (`:missing`)
    "".join(
        f"DROP INDEX {name}; CREATE INDEX {name} ON search_index (resource_type, param, {columns}, resource_id)"
        f" WHERE {columns.split(',')[0]} IS NOT NULL;\n"
        for name, columns in (
            ("search_index_system", "token_system"),
            ("search_index_string", "string_value"),
            ("search_index_date", "date_low, date_high"),
            ("search_index_reference", "reference"),
            ("search_index_number", "number"),
        )
    ),
    # 6: the full-text index behind _content/_text (gateway.store.text_index), filled from the stored resources
    _create_text_index,
)

SCHEMA_VERSION = len(_MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer fhirgate; refusing to touch it."""


def migrate(conn: sqlite3.Connection) -> None:
    """Bring ``conn``'s database to ``SCHEMA_VERSION``, one transaction per migration."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(f"store schema version {current} is newer than supported {SCHEMA_VERSION}")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        logger.info("store migration version=%d", version)
        step = _MIGRATIONS[version - 1]
        if callable(step):
            conn.execute("BEGIN")
            try:
                step(conn)
                conn.execute(f"PRAGMA user_version = {version}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            continue
        # executescript commits any open transaction first, so BEGIN/COMMIT live inside the script.
        conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {version};\nCOMMIT;")
