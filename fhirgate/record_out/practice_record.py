"""A connected practice's whole record for this patient, through its FHIR API.

Its ``Patient/$everything`` when the CapabilityStatement declares it (paged through ``next`` links);
otherwise the Patient, then a search per type the server declares with a ``patient`` parameter, paged.
The client's rate limiter paces every request. Outcome entries (a type the token cannot read, stale data)
become notes for the export's error file; each resource is yielded once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fhir_client import FhirClient, bundle_link, entries

PAGE_SIZE = 100


class PracticeRecordError(Exception):
    """The practice's answers do not let fhirgate read the record (no patient in the token)."""


def _rest(capability: dict[str, Any]) -> dict[str, Any]:
    rest = capability.get("rest")
    first = rest[0] if isinstance(rest, list) and rest and isinstance(rest[0], dict) else {}
    return first


def _declares_everything(capability: dict[str, Any]) -> bool:
    rest = _rest(capability)
    patient = next((r for r in rest.get("resource", []) if isinstance(r, dict) and r.get("type") == "Patient"), {})
    operations = [*patient.get("operation", []), *rest.get("operation", [])]
    return any(isinstance(o, dict) and o.get("name") == "everything" for o in operations)


def patient_search_types(capability: dict[str, Any]) -> list[str]:
    """Types the server can search by ``patient`` (the patient's compartment, as far as it says)."""
    found: list[str] = []
    for resource in _rest(capability).get("resource", []):
        if not isinstance(resource, dict) or not isinstance(resource.get("type"), str):
            continue
        names = {p.get("name") for p in resource.get("searchParam", []) if isinstance(p, dict)}
        if "patient" in names and resource["type"] != "Patient":
            found.append(resource["type"])
    return found


def _instant(since: datetime) -> str:
    return since.isoformat().replace("+00:00", "Z")


class PracticeRecord:
    """Reads one practice's record; ``notes`` collects what the practice said was partial."""

    def __init__(self, client: FhirClient, *, since: datetime | None = None, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._since = since
        self._page_size = page_size
        self.notes: list[str] = []
        self.total: int | None = None
        """The match count the first page announced, when the server gives one."""

    async def resources(self) -> AsyncIterator[dict[str, Any]]:
        who = await self._client.whoami()
        if who.patient_id is None:
            raise PracticeRecordError("the practice did not say whose record it holds")
        capability = await self._client.capabilities()
        seen: set[tuple[str, str]] = set()
        pages = self._everything(who.patient_id) if _declares_everything(capability) else None
        if pages is None:
            pages = self._per_type(who.patient_id, patient_search_types(capability))
        async for bundle in pages:
            self._note_outcomes(bundle)
            for resource in entries(bundle, "match", "include", None):
                key = (str(resource.get("resourceType")), str(resource.get("id")))
                if key[0] != "OperationOutcome" and key not in seen:
                    seen.add(key)
                    yield resource

    async def _everything(self, patient_id: str) -> AsyncIterator[dict[str, Any]]:
        params = {"_count": str(self._page_size)}
        if self._since is not None:
            params["_since"] = _instant(self._since)
        bundle = await self._client.everything(patient_id, params)
        self.total = bundle.get("total") if isinstance(bundle.get("total"), int) else None
        async for page in self._paged(bundle):
            yield page

    async def _per_type(self, patient_id: str, types: list[str]) -> AsyncIterator[dict[str, Any]]:
        patient = await self._client.read("Patient", patient_id)
        yield {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": patient}]}
        for resource_type in types:
            params = {"patient": patient_id, "_count": str(self._page_size)}
            if self._since is not None:
                params["_lastUpdated"] = "ge" + _instant(self._since)
            async for page in self._paged(await self._client.search(resource_type, params)):
                yield page

    async def _paged(self, bundle: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        seen_links: set[str] = set()
        while True:
            yield bundle
            next_url = bundle_link(bundle, "next")
            if next_url is None or next_url in seen_links:
                return
            seen_links.add(next_url)
            bundle = await self._client.fetch_page(next_url)

    def _note_outcomes(self, bundle: dict[str, Any]) -> None:
        for outcome in entries(bundle, "outcome"):
            for issue in outcome.get("issue", []):
                if isinstance(issue, dict) and issue.get("diagnostics"):
                    self.notes.append(str(issue["diagnostics"])[:300])
