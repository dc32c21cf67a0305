"""The Kaiser record as a FHIR source for the MCP server: the facade over the local store, either
in-process (httpx2.ASGITransport, no server needed) or a running facade over loopback HTTP."""

from __future__ import annotations

import secrets

import httpx2

from fhir_client import FhirClient
from gateway.facade import create_facade_app
from gateway.store import SqliteStore
from gateway.writes.fhir_routes import WRITE_OPERATIONS, write_routes
from gateway.writes.operations import WriteOperations

IN_PROCESS_BASE = "http://127.0.0.1/fhir"


def in_process_kaiser_client(store: SqliteStore, writes: WriteOperations | None = None) -> FhirClient:
    token = secrets.token_urlsafe(32)  # never leaves this process
    routes = write_routes(store, writes) if writes is not None else []
    app = create_facade_app(
        store, token=token, extra_routes=routes, extra_operations=WRITE_OPERATIONS if writes is not None else None
    )
    return FhirClient(IN_PROCESS_BASE, bearer_token=token, transport=httpx2.ASGITransport(app=app))


def remote_kaiser_client(base_url: str, token: str) -> FhirClient:
    return FhirClient(base_url.rstrip("/"), bearer_token=token)
