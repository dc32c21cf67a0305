"""The CapabilityStatement, generated from the search-parameter table so the two cannot disagree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.search import SEARCHABLE_RESOURCE_TYPES, parameters_for

SECURITY_DESCRIPTION = (
    "Every request except /metadata and /.well-known/smart-configuration requires "
    "'Authorization: Bearer <token>' with the local facade token (shown by `fhirgate token`). "
    "The server listens on loopback only and accepts only loopback Host names."
)


def _resource(resource_type: str) -> dict[str, Any]:
    return {
        "type": resource_type,
        "versioning": "versioned",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [
            {"name": p.name, "type": p.type.value, "documentation": p.description}
            for p in parameters_for(resource_type)
        ],
    }


def build_capability_statement(*, date: datetime) -> dict[str, Any]:
    """The server's CapabilityStatement (FHIR 4.0.1, JSON only, read + search-type per resource type)."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date.isoformat(timespec="seconds"),
        "kind": "instance",
        "software": {"name": "fhirgate"},
        "implementation": {"description": "fhirgate local FHIR facade over the Kaiser record"},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {"cors": False, "description": SECURITY_DESCRIPTION},
                "resource": [_resource(t) for t in SEARCHABLE_RESOURCE_TYPES],
            }
        ],
    }
