"""A practice's catalog row as `fhirgate connect` leaves it, for the status and doctor tests."""

from __future__ import annotations

import json

from fhir_client import SourceCatalog, SourceRecord

_ENDPOINTS = {"authorization_endpoint": "https://ehr.test/auth", "token_endpoint": "https://ehr.test/token"}


def add_practice(catalog: SourceCatalog, name: str, state: str, expires_at: float | None) -> str:
    """Put practice ``name`` in ``catalog`` (base URL ``https://ehr.test/<name>/fhir``); returns that URL."""
    base_url = f"https://ehr.test/{name}/fhir"
    catalog.put(
        SourceRecord(
            name=name,
            base_url=base_url,
            client_id="app",
            auth_method="none",
            redirect_uri="http://127.0.0.1:8999/callback",
            smart_configuration=json.dumps(_ENDPOINTS),
            state=state,
            access_expires_at=expires_at,
        )
    )
    return base_url
