"""The client against a real (tiny) starlette FHIR server, in-process through ASGITransport."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fhir_client import FhirClient, FhirHTTPError

BASE = "http://fhir.test/fhir"
TOKEN = "local-facade-token"
OBSERVATIONS = [
    {"resourceType": "Observation", "id": f"k{day}", "effectiveDateTime": f"2024-03-{day:02d}"} for day in range(1, 8)
]


class FhirResponse(JSONResponse):
    media_type = "application/fhir+json"


def not_found(diagnostics: str) -> FhirResponse:
    issue = {"severity": "error", "code": "not-found", "diagnostics": diagnostics}
    return FhirResponse({"resourceType": "OperationOutcome", "issue": [issue]}, status_code=404)


def create_app() -> Starlette:
    async def metadata(request: Request) -> FhirResponse:
        return FhirResponse({"resourceType": "CapabilityStatement", "fhirVersion": "4.0.1"})

    async def read_patient(request: Request) -> FhirResponse:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            issue = {"severity": "error", "code": "login", "diagnostics": "bearer token required"}
            return FhirResponse({"resourceType": "OperationOutcome", "issue": [issue]}, status_code=401)
        if request.path_params["id"] != "p1":
            return not_found(f"Patient/{request.path_params['id']} is not known")
        return FhirResponse({"resourceType": "Patient", "id": "p1", "accept": request.headers["accept"]})

    async def search_observations(request: Request) -> FhirResponse:
        dates = request.query_params.getlist("date")
        lower = next((d[2:] for d in dates if d.startswith("ge")), "0000")
        upper = next((d[2:] for d in dates if d.startswith("le")), "9999")
        matches = [o for o in OBSERVATIONS if lower <= str(o["effectiveDateTime"]) <= upper]
        count = int(request.query_params.get("_count", "100"))
        offset = int(request.query_params.get("_offset", "0"))
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "link": [{"relation": "self", "url": str(request.url)}],
            "entry": [{"resource": o, "search": {"mode": "match"}} for o in matches[offset : offset + count]],
        }
        if offset + count < len(matches):
            following = request.url.include_query_params(_offset=offset + count)
            bundle["link"].append({"relation": "next", "url": str(following)})
        return FhirResponse(bundle)

    return Starlette(
        routes=[
            Route("/fhir/metadata", metadata),
            Route("/fhir/Patient/{id}", read_patient),
            Route("/fhir/Observation", search_observations),
        ]
    )


def client(token: str | None = TOKEN) -> FhirClient:
    return FhirClient(BASE, bearer_token=token, transport=httpx2.ASGITransport(app=create_app()))


async def test_capabilities_and_read_over_asgi() -> None:
    async with client() as fhir:
        capability = await fhir.capabilities()
        patient = await fhir.read("Patient", "p1")
    assert capability["fhirVersion"] == "4.0.1"
    assert patient["id"] == "p1"
    assert patient["accept"] == "application/fhir+json"


async def test_repeated_parameters_and_paging_over_asgi() -> None:
    params = {"date": ["ge2024-03-02", "le2024-03-06"], "_count": "2"}
    async with client() as fhir:
        ids = [r["id"] async for r in fhir.iterate_resources("Observation", params)]
        first = await fhir.search("Observation", [("date", "ge2024-03-06")])
    assert ids == ["k2", "k3", "k4", "k5", "k6"]
    assert first["total"] == 2


async def test_missing_token_and_unknown_id_become_http_errors() -> None:
    async with client(token=None) as fhir:
        with pytest.raises(FhirHTTPError) as unauthorized:
            await fhir.read("Patient", "p1")
    async with client() as fhir:
        with pytest.raises(FhirHTTPError) as missing:
            await fhir.read("Patient", "p2")
    assert unauthorized.value.status_code == 401
    assert unauthorized.value.diagnostics == "error login: bearer token required"
    assert missing.value.status_code == 404
    assert "Patient/p2 is not known" in missing.value.diagnostics
