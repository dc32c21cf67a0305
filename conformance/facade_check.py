"""Facade behaviour: the translated resources served back through the real facade over a real SQLite store.

Checks that every read and every search page gives back exactly the generated resources (the store adds only
``meta.versionId``/``meta.lastUpdated``; compared as canonical JSON text, so a decimal that lost its precision
on the way is a mismatch), and collects the resources the facade itself generates
(CapabilityStatement, searchset Bundles, OperationOutcomes) for validators 1 and 2.
"""

from __future__ import annotations

import base64
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from starlette.testclient import TestClient

from fhirgate.kaiser_source import KaiserSource
from gateway.facade import create_facade_app
from gateway.store import SqliteStore
from translators import fhir_json

__all__ = ["FacadeFindings", "check_facade", "same_resource"]

_TOKEN = "conformance-facade-token"
READ_SAMPLE = 50
"""Resources read one by one per searchable type (all of them for types that cannot be searched)."""
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class FacadeFindings:
    mismatches: list[str] = field(default_factory=list)
    generated: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(what was asked, resource) for every resource the facade built itself."""
    served: int = 0
    """Resources found by searching (types the CapabilityStatement marks searchable)."""
    read: int = 0
    """Resources read back one by one (all of an unsearchable type, up to ``READ_SAMPLE`` of a searchable one)."""


def _without_store_meta(resource: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in resource.get("meta", {}).items() if k not in {"versionId", "lastUpdated"}}
    trimmed = {k: v for k, v in resource.items() if k != "meta"}
    return {**trimmed, "meta": meta} if meta else trimmed


def same_resource(served: dict[str, Any], generated: dict[str, Any]) -> bool:
    """Equal as canonical JSON text (decimals as written): ``1.5`` served for ``1.50`` is a difference."""
    return fhir_json.dumps(_without_store_meta(served), sort_keys=True) == fhir_json.dumps(generated, sort_keys=True)


def check_facade(resources_by_surface: dict[str, list[dict[str, Any]]]) -> FacadeFindings:
    """Store ``resources_by_surface`` as the sync would, then read and search all of it through the facade."""
    findings = FacadeFindings()
    expected: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for resources in resources_by_surface.values():
        for resource in resources:
            expected[resource["resourceType"]][resource["id"]] = resource
    with tempfile.TemporaryDirectory(prefix="fhirgate-conformance-") as home:
        store = SqliteStore.open(Path(home) / "store.sqlite3")
        try:
            for surface, resources in resources_by_surface.items():
                store.write_surface(surface, resources, now=_NOW)
            app = create_facade_app(store, KaiserSource(store).facade_settings(_TOKEN))
            with TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {_TOKEN}"}) as client:
                capability = _generated(client, findings, "GET /fhir/metadata", 200)
                searchable = _searchable_types(capability)
                for resource_type, by_id in sorted(expected.items()):
                    if resource_type in searchable:
                        # Search pages compare every resource; reads are then sampled, which keeps `large` fast.
                        _compare_search(client, findings, resource_type, by_id)
                        by_id = dict(list(by_id.items())[:READ_SAMPLE])
                    _compare_reads(client, findings, resource_type, by_id)
                _outcomes(client, findings, next(iter(sorted(expected)), "Patient"))
                if resources_by_surface:
                    surface = next(iter(resources_by_surface))
                    store.record_surface_failure(surface, "conformance: simulated failure", now=_NOW)
                    for resource_type in sorted({r["resourceType"] for r in resources_by_surface[surface]}):
                        _generated(client, findings, f"GET /fhir/{resource_type}?_count=1 (surface failing)", 200)
        finally:
            store.close()
    return findings


def _searchable_types(capability: dict[str, Any]) -> set[str]:
    """Types whose CapabilityStatement entry offers ``search-type`` (Binary, for one, is read-only)."""
    return {
        entry.get("type", "")
        for rest in capability.get("rest", [])
        for entry in rest.get("resource", [])
        if any(i.get("code") == "search-type" for i in entry.get("interaction", []))
    }


def _generated(client: TestClient, findings: FacadeFindings, request: str, status: int) -> dict[str, Any]:
    _, url = request.split(" ", 2)[:2]
    response = client.get(url)
    body: dict[str, Any] = response.json()
    if response.status_code != status:
        findings.mismatches.append(f"{request}: HTTP {response.status_code}, expected {status}")
    findings.generated.append((request, body))
    return body


def _compare_search(
    client: TestClient, findings: FacadeFindings, resource_type: str, by_id: dict[str, dict[str, Any]]
) -> None:
    seen: dict[str, dict[str, Any]] = {}
    url: str | None = f"/fhir/{resource_type}?_count=50"
    first = True
    while url is not None:
        response = client.get(url)
        bundle: dict[str, Any] = fhir_json.loads(response.content)
        if first:
            findings.generated.append((f"GET /fhir/{resource_type}", bundle))
            first = False
        for entry in bundle.get("entry", []):
            resource = entry.get("resource", {})
            if entry.get("search", {}).get("mode") == "match":
                seen[resource.get("id", "")] = resource
        url = next((link["url"] for link in bundle.get("link", []) if link.get("relation") == "next"), None)
    if set(seen) != set(by_id):
        findings.mismatches.append(
            f"search {resource_type}: served {len(seen)} ids, generated {len(by_id)}"
            f" (missing {sorted(set(by_id) - set(seen))[:3]}, extra {sorted(set(seen) - set(by_id))[:3]})"
        )
    for resource_id, resource in seen.items():
        if resource_id in by_id and not same_resource(resource, by_id[resource_id]):
            findings.mismatches.append(f"search {resource_type}/{resource_id}: served resource differs")
    findings.served += len(seen)


def _compare_reads(
    client: TestClient, findings: FacadeFindings, resource_type: str, by_id: dict[str, dict[str, Any]]
) -> None:
    for resource_id, resource in by_id.items():
        response = client.get(f"/fhir/{resource_type}/{resource_id}", headers={"Accept": "application/fhir+json"})
        findings.read += 1
        if response.status_code != 200 or not _same_read(response, resource):
            findings.mismatches.append(f"read {resource_type}/{resource_id}: HTTP {response.status_code} or differs")


def _same_read(response: httpx2.Response, resource: dict[str, Any]) -> bool:
    if "json" in response.headers.get("content-type", ""):
        served: dict[str, Any] = fhir_json.loads(response.content)
        return same_resource(served, resource)
    # A Binary may be served as its own bytes: then they must be exactly the stored data.
    return resource["resourceType"] == "Binary" and response.content == base64.b64decode(resource.get("data", ""))


def _outcomes(client: TestClient, findings: FacadeFindings, resource_type: str) -> None:
    _generated(client, findings, f"GET /fhir/{resource_type}/no-such-id", 404)
    _generated(client, findings, f"GET /fhir/{resource_type}?no-such-parameter=1", 400)
    _generated(client, findings, "GET /fhir/NoSuchType", 404)
