"""The SMART on FHIR ``fhirclient`` package, unmodified, against the running facade (static bearer token)."""

from __future__ import annotations

from typing import Any

import pytest
from fhirclient import client
from fhirclient.models.bundle import Bundle
from fhirclient.models.capabilitystatement import CapabilityStatement
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRNotFoundException, FHIRUnauthorizedException

from tests.clients.conftest import LAB_COUNT, Facade


def _smart(facade: Facade, token: str | None = None) -> Any:
    # fhirclient's documented way to resume a session that holds an access token; the saved base_uri keeps
    # its trailing slash (fhirclient joins relative paths with urljoin).
    state = {
        "app_id": "fhirgate-tests",
        "server": {
            "base_uri": facade.base + "/",
            "auth_type": "oauth2",
            "auth": {"access_token": token or facade.token},
        },
    }
    return client.FHIRClient(state=state)


def test_capability_statement_parses_into_the_models(facade: Facade) -> None:
    smart = _smart(facade)
    statement = CapabilityStatement.read_from("metadata", smart.server)
    assert statement.fhirVersion == "4.0.1"
    assert statement.rest[0].security.service[0].coding[0].code == "SMART-on-FHIR"
    assert {r.type for r in statement.rest[0].resource} >= {"Patient", "Observation", "Binary"}


def test_search_and_fetch_all_pages(facade: Facade) -> None:
    smart = _smart(facade)
    search = Observation.where(struct={"patient": "p1", "_count": "5", "_sort": "date", "_total": "accurate"})
    observations = list(search.perform_resources_iter(smart.server))
    assert [o.id for o in observations] == [f"o{i:02d}" for i in range(LAB_COUNT)]
    assert observations[0].effectiveDateTime.isostring.startswith("2024-02-01T08:00:00")
    pages = list(search.perform_iter(smart.server))
    assert len(pages) == 5 and {page.total for page in pages} == {LAB_COUNT}
    assert [len(page.entry) for page in pages] == [5, 5, 5, 5, 3]


def test_read_by_reference(facade: Facade) -> None:
    smart = _smart(facade)
    observation = Observation.read("o00", smart.server)
    reference = observation.subject.reference
    assert reference == "Patient/p1"
    patient = Patient.read_from(reference, smart.server)
    assert patient.name[0].family == "Müller" and patient.birthDate.isostring == "1980-02-03"


def test_everything_operation(facade: Facade) -> None:
    smart = _smart(facade)
    bundle = Bundle(smart.server.request_json("Patient/p1/$everything?_count=10"))
    assert bundle.type == "searchset" and bundle.entry[0].resource.resource_type == "Patient"
    next_links = [link.url for link in bundle.link if link.relation == "next"]
    assert len(next_links) == 1
    seen = [e.resource.id for e in bundle.entry if e.search.mode == "match"]
    while next_links:
        page = Bundle(smart.server.request_json(next_links[0]))
        seen += [e.resource.id for e in page.entry if e.search.mode == "match"]
        next_links = [link.url for link in page.link if link.relation == "next"]
    assert len(seen) == len(set(seen)) == 1 + 1 + LAB_COUNT  # patient, the request, the labs


def test_errors_map_to_fhirclient_exceptions(facade: Facade) -> None:
    with pytest.raises(FHIRNotFoundException):
        Patient.read("nobody", _smart(facade).server)
    with pytest.raises(FHIRUnauthorizedException):
        Patient.read("p1", _smart(facade, token="wrong").server)
