"""A CapabilityStatement summarised for the model: server, FHIR version, security, types and their search parameters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["capability_summary", "searchable_types"]


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _server_rest(capability: Mapping[str, Any]) -> Mapping[str, Any]:
    rests = _dicts(capability.get("rest"))
    return next((r for r in rests if r.get("mode") == "server"), rests[0] if rests else {})


def searchable_types(capability: Mapping[str, Any]) -> list[str]:
    """The resource types the server lets one search, in its order."""
    types: list[str] = []
    for resource in _dicts(_server_rest(capability).get("resource")):
        codes = {i.get("code") for i in _dicts(resource.get("interaction"))}
        if isinstance(kind := resource.get("type"), str) and ("search-type" in codes or not codes):
            types.append(kind)
    return types


def capability_summary(capability: Mapping[str, Any], source: str) -> str:
    """A few lines per resource type: interactions and search parameter names."""
    software = capability.get("software")
    name = software.get("name") if isinstance(software, Mapping) else None
    rest = _server_rest(capability)
    security = rest.get("security")
    services = []
    if isinstance(security, Mapping):
        services = [
            str(c.get("text") or next((d.get("code") for d in _dicts(c.get("coding"))), ""))
            for c in _dicts(security.get("service"))
        ]
    lines = [
        f"{source}: {name or 'FHIR server'}, FHIR {capability.get('fhirVersion', '?')}, "
        f"formats {', '.join(str(f) for f in capability.get('format') or []) or '?'}"
        + (f", security {', '.join(s for s in services if s)}" if any(services) else ""),
    ]
    resources = _dicts(rest.get("resource"))
    lines.append(f"{len(resources)} resource types (type: interactions; search parameters):")
    for resource in resources:
        interactions = ",".join(str(i.get("code")) for i in _dicts(resource.get("interaction")))
        params = ",".join(str(p.get("name")) for p in _dicts(resource.get("searchParam")))
        lines.append(f"{resource.get('type')}: {interactions or '-'}; {params or '-'}")
    common = ",".join(str(p.get("name")) for p in _dicts(rest.get("searchParam")))
    if common:
        lines.append(f"on every type: {common}")
    return "\n".join(lines)
