"""fhirpy's AsyncFHIRClient, unmodified, against the running facade."""

from __future__ import annotations

import pytest
from fhirpy import AsyncFHIRClient
from fhirpy.base.exceptions import AuthorizationError, OperationOutcome, ResourceNotFound

from tests.clients.conftest import LAB_COUNT, Facade


def _client(facade: Facade, token: str | None = None) -> AsyncFHIRClient:
    return AsyncFHIRClient(facade.base, authorization=f"Bearer {token or facade.token}")


async def test_search_with_parameters_and_fetch_all_pages(facade: Facade) -> None:
    client = _client(facade)
    search = client.resources("Observation").search(patient="p1", category="laboratory").sort("-date").limit(5)
    first_page = await search.fetch()
    assert len(first_page) == 5 and first_page[0]["id"] == f"o{LAB_COUNT - 1:02d}"
    everything = await search.fetch_all()
    assert [o["id"] for o in everything] == [f"o{i:02d}" for i in reversed(range(LAB_COUNT))]
    assert await client.resources("Observation").search(patient="p1").count() == LAB_COUNT
    dated = await client.resources("Observation").search(date__ge="2024-02-20", subject="Patient/p1").fetch_all()
    assert sorted(o["id"] for o in dated) == [f"o{i:02d}" for i in range(19, LAB_COUNT)]


async def test_read_by_reference_and_include(facade: Facade) -> None:
    client = _client(facade)
    observation = await client.resources("Observation").search(_id="o03").get()
    patient = await observation["subject"].to_resource()
    assert patient["resourceType"] == "Patient" and patient["name"][0]["family"] == "Müller"
    assert (await client.reference("Patient", "p2").to_resource())["id"] == "p2"
    bundle = await client.resources("MedicationRequest").include("MedicationRequest", "medication").fetch_raw()
    modes = {e["resource"]["id"]: e["search"]["mode"] for e in bundle["entry"]}
    assert modes == {"m1": "match", "med1": "include"}


async def test_everything_operation(facade: Facade) -> None:
    bundle = await _client(facade).execute("Patient/p1/$everything", method="get", params={"_count": 100})
    ids = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert ("Patient", "p1") in ids and ("MedicationRequest", "m1") in ids and ("Medication", "med1") in ids
    assert ("Observation", "x1") not in ids and len([i for i in ids if i[0] == "Observation"]) == LAB_COUNT


async def test_errors_surface_as_fhirpy_exceptions(facade: Facade) -> None:
    with pytest.raises(ResourceNotFound):
        await _client(facade).reference("Patient", "nobody").to_resource()
    with pytest.raises(AuthorizationError):
        await _client(facade, token="wrong").resources("Patient").fetch()
    with pytest.raises(OperationOutcome) as caught:
        await _client(facade).resources("Observation").search(colour="red").fetch()
    assert "colour" in str(caught.value)
