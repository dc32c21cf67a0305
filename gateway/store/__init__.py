"""gateway.store — the local FHIR resource store: current versions, search index, surface sync state.

``SqliteStore`` implements the ``ResourceStore`` protocol; searching runs on the index tables only.
"""

from gateway.store.connections import StoreClosedError
from gateway.store.protocol import ResourceStore
from gateway.store.records import (
    InvalidResourceError,
    SearchPage,
    StoreDamagedError,
    StoredResource,
    StoreFullError,
    SurfaceState,
    SurfaceWriteSummary,
)
from gateway.store.schema import SCHEMA_VERSION, SchemaTooNewError
from gateway.store.sqlite import SqliteStore

__all__ = [
    "SCHEMA_VERSION",
    "InvalidResourceError",
    "ResourceStore",
    "SchemaTooNewError",
    "SearchPage",
    "SqliteStore",
    "StoreClosedError",
    "StoreDamagedError",
    "StoreFullError",
    "StoredResource",
    "SurfaceState",
    "SurfaceWriteSummary",
]
