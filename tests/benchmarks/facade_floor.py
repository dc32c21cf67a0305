"""The floor for the facade benchmark: a bare endpoint over the same store file, no parsing, no models.

starlette + uvicorn + stdlib sqlite3 and nothing else: the benchmark's date-range search as one fixed SQL
statement whose stored JSON rows are concatenated into a 50-entry Bundle, and the read by id. Whatever the
facade spends beyond this (query parsing, planning, middleware, links, outcomes) is its own cost.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fhirgate.serving import LOOPBACK
from tests.benchmarks.facade_corpus import PATIENT_ID

FLOOR_SEARCH = "/floor/Observation"
FLOOR_READ = "/floor/Observation/{id}"
_FROM_2020 = 1_577_836_800_000_000  # 2020-01-01T00:00:00Z in the index's microseconds since 1970
_SEARCH_SQL = (
    "SELECT r.json FROM search_index d INDEXED BY search_index_date"
    " JOIN resources r ON r.resource_type = d.resource_type AND r.id = d.resource_id"
    " WHERE d.resource_type = 'Observation' AND d.param = 'date' AND d.date_low >= ?"
    " AND EXISTS (SELECT 1 FROM search_index c INDEXED BY search_index_resource WHERE c.resource_type = 'Observation'"
    " AND c.resource_id = d.resource_id AND c.param = 'category' AND c.token_code = 'laboratory')"
    " AND EXISTS (SELECT 1 FROM search_index p INDEXED BY search_index_resource WHERE p.resource_type = 'Observation'"
    " AND p.resource_id = d.resource_id AND p.param = 'patient' AND p.reference = ?)"
    " ORDER BY d.date_low DESC LIMIT 50"
)
_READ_SQL = "SELECT json FROM resources WHERE resource_type = 'Observation' AND id = ?"
_MEDIA = "application/fhir+json"


def floor_app(path: Path) -> Starlette:
    """The bare endpoints, each request on a connection of its own thread (starlette's threadpool)."""
    local = threading.local()

    def connection() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = sqlite3.connect(path, check_same_thread=False)
        return conn

    def search(request: Request) -> Response:
        rows = connection().execute(_SEARCH_SQL, (_FROM_2020, f"Patient/{PATIENT_ID}")).fetchall()
        entries = ",".join('{"resource":' + row[0] + "}" for row in rows)
        return Response(f'{{"resourceType":"Bundle","type":"searchset","entry":[{entries}]}}', media_type=_MEDIA)

    def read(request: Request) -> Response:
        row = connection().execute(_READ_SQL, (request.path_params["id"],)).fetchone()
        if row is None:
            return Response(status_code=404)
        return Response(row[0], media_type=_MEDIA)

    return Starlette(routes=[Route(FLOOR_SEARCH, search), Route(FLOOR_READ, read)])


def serve_floor(path: Path, port: int) -> None:
    uvicorn.run(floor_app(path), host=LOOPBACK, port=port, log_level="warning")
