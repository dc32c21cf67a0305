"""The sandbox's copy of eClinicalWorks' practice directory: a paged FHIR Bundle of `Endpoint` +
`Organization` pairs (id = practice code) at eCW's path, addresses on the provider host as eCW
lists them, one test database among the practices. Invented practices; the first one is this
sandbox's own practice."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["PRACTICE_LIST_PATH", "PracticeList"]

PRACTICE_LIST_PATH = "/ecwopendev/external/practiceList"
PAGE_SIZE = 3
# (code, name, street, city, state, postal code); the first code is replaced by the sandbox's org id.
_PRACTICES = (
    ("", "Lee Family Medicine", "100 Oak Street", "San Jose", "CA", "95112"),
    ("LEEPED", "Lee Pediatrics", "22 Elm Avenue", "Austin", "TX", "78701"),
    ("LEETST", "Lee Family Medicine TEST DB", "1 Test Way", "San Jose", "CA", "95112"),
    ("LEEFIL", "Lee Family Medicine", "9 Main Street", "Springfield", "IL", "62701"),
    ("OAKVIM", "Oak Valley Internal Medicine", "5 River Road", "Portland", "OR", "97201"),
    ("TRNDB1", "Training Database - Sample Clinic", "2 Sample Lane", "Fresno", "CA", "93650"),
)


class PracticeList:
    def __init__(self, org_id: str, provider_host: str) -> None:
        self._org_id, self._provider_host = org_id, provider_host

    def _entries(self, request: Request) -> list[dict[str, Any]]:
        port = f":{request.url.port}" if request.url.port else ""
        listed: list[dict[str, Any]] = []
        for code, name, street, city, state, postal in _PRACTICES:
            code = code or self._org_id
            address = f"{request.url.scheme}://{self._provider_host}{port}/fhir/r4/{code}"
            endpoint = {
                "resourceType": "Endpoint",
                "id": code,
                "status": "active",
                "connectionType": {
                    "system": "http://terminology.hl7.org/CodeSystem/endpoint-connection-type",
                    "code": "hl7-fhir-rest",
                },
                "name": name,
                "managingOrganization": {"reference": f"Organization/{code}"},
                "payloadType": [{"text": "FHIR R4"}],
                "address": address,
            }
            organization = {
                "resourceType": "Organization",
                "id": code,
                "active": True,
                "name": name,
                "address": [{"line": [street], "city": city, "state": state, "postalCode": postal, "country": "US"}],
                "endpoint": [{"reference": f"Endpoint/{code}"}],
            }
            listed += [{"fullUrl": f"Endpoint/{code}", "resource": endpoint}]
            listed += [{"fullUrl": f"Organization/{code}", "resource": organization}]
        return listed

    async def page(self, request: Request) -> Response:
        try:
            number = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            number = 1
        everything = self._entries(request)
        per_page = PAGE_SIZE * 2  # an Endpoint and its Organization per practice
        chosen = everything[(number - 1) * per_page : number * per_page]
        base = str(request.url.replace(query=""))
        links = [{"relation": "self", "url": f"{base}?page={number}"}]
        if number * per_page < len(everything):
            links.append({"relation": "next", "url": f"{base}?page={number + 1}"})
        body = {"resourceType": "Bundle", "type": "collection", "link": links, "entry": chosen}
        return JSONResponse(body, media_type="application/fhir+json")
