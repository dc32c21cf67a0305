"""``ConceptMap/fhirgate-kaiser-lab-loinc``: the lab LOINC map a client can read, the same rows the translator uses."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.facade.conftest import AUTH
from translators.lab_loinc import lab_loinc_rows


def test_lab_loinc_concept_map_is_served_and_listed(client: TestClient) -> None:
    response = client.get("/fhir/ConceptMap/fhirgate-kaiser-lab-loinc", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    concept_map = response.json()
    assert concept_map["resourceType"] == "ConceptMap" and concept_map["group"][0]["target"] == "http://loinc.org"
    targets = {t["code"] for e in concept_map["group"][0]["element"] for t in e["target"]}
    assert targets == {row.loinc for row in lab_loinc_rows()}
    listed = client.get("/fhir/metadata").json()["rest"][0]["resource"]
    entry = next(r for r in listed if r["type"] == "ConceptMap")
    assert "ConceptMap/fhirgate-kaiser-lab-loinc" in entry["documentation"]


def test_unknown_concept_map_is_not_found_and_the_map_needs_the_token(client: TestClient) -> None:
    assert client.get("/fhir/ConceptMap/other", headers=AUTH).status_code == 404
    assert client.get("/fhir/ConceptMap/fhirgate-kaiser-lab-loinc").status_code == 401
