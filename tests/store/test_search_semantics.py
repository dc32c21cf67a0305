"""FHIR search semantics, table-driven against a real SQLite store."""

from collections.abc import Iterator

import pytest

from gateway.search import parse_search
from gateway.store import SqliteStore
from tests.store.conftest import T0
from tests.store.sample_resources import lab, medication_request, patient


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore.open(tmp_path_factory.mktemp("semantics") / "store.db")
    store.write_surface(
        "labs",
        [
            lab("a", effective="2023-12-31T23:00:00Z"),
            lab("b", effective="2024-01-01T10:00:00Z", code="718-7"),
            lab("c", effective="2024-03-01", system="http://example.org/local"),
            lab("d", effective="2024-03-15T08:30:00Z", system=None),
            lab("e", effective={"start": "2024-02-20", "end": "2024-03-05"}, category="vital-signs"),
            lab("f", effective="2025-06-01T00:00:00Z", patient_id="p2"),
        ],
        now=T0,
    )
    store.write_surface(
        "profile",
        [
            patient("p1", "Müller", ("Ana",)),
            patient("p2", "Mueller", ("Bob",)),
            patient("p3", "Smith", ("Ánna", "María")),
        ],
        now=T0,
    )
    store.write_surface(
        "meds", [medication_request("m1"), medication_request("m2", patient_id="p2", status="stopped")], now=T0
    )
    yield store
    store.close()


def _ids(store: SqliteStore, resource_type: str, query: list[tuple[str, str]]) -> list[str]:
    return sorted(s.id for s in store.search(parse_search(resource_type, query)).entries)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("date", "2024")], "bcde"),
        ([("date", "2024-03-01")], "c"),
        ([("date", "2024-03-15T08:30:00Z")], "d"),
        ([("date", "ge2024-01-01")], "bcdef"),
        ([("date", "lt2024-03")], "abe"),
        ([("date", "gt2024-03")], "f"),
        ([("date", "le2024-01-01")], "ab"),
        ([("date", "sa2024-03")], "f"),
        ([("date", "eb2024-03")], "ab"),
        ([("date", "ne2024")], "af"),
        ([("date", "ge2024-01-01"), ("date", "lt2024-03")], "be"),
        ([("date", "lt2024-01-01,gt2025-01-01")], "af"),
        ([("date", "ge2024-03-15T10:30:00+02:00")], "df"),
        ([("_lastUpdated", "2024-05-01")], "abcdef"),
        ([("_lastUpdated", "gt2024-05-01")], ""),
    ],
)
def test_date_prefixes_compare_ranges(seeded: SqliteStore, query: list[tuple[str, str]], expected: str) -> None:
    assert _ids(seeded, "Observation", query) == list(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("code", "2345-7")], "acdef"),
        ([("code", "http://loinc.org|2345-7")], "aef"),
        ([("code", "|2345-7")], "d"),
        ([("code", "http://loinc.org|")], "abef"),
        ([("code", "718-7,http://example.org/local|2345-7")], "bc"),
        ([("code", "Glucose")], ""),
        ([("category", "laboratory"), ("code", "http://loinc.org|2345-7")], "af"),
        ([("category", "http://terminology.hl7.org/CodeSystem/observation-category|vital-signs")], "e"),
        ([("_id", "a,c")], "ac"),
        ([("status", "final"), ("patient", "p2")], "f"),
    ],
)
def test_token_forms(seeded: SqliteStore, query: list[tuple[str, str]], expected: str) -> None:
    assert _ids(seeded, "Observation", query) == list(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("name", "mul")], ["p1"]),
        ([("name", "MÜL")], ["p1"]),
        ([("family", "mue")], ["p2"]),
        ([("given", "ann")], ["p3"]),
        ([("given", "mar")], ["p3"]),
        ([("name", "ana")], ["p1"]),
        ([("name", "an")], ["p1", "p3"]),
        ([("family:exact", "Müller")], ["p1"]),
        ([("family:exact", "müller")], []),
        ([("name:contains", "ller")], ["p1", "p2"]),
        ([("name:contains", "%")], []),
        ([("family", "mul,sm")], ["p1", "p3"]),
        ([("identifier", "urn:fhirgate:kaiser:mrn|MRN-p2")], ["p2"]),
        ([("birthdate", "1980")], ["p1", "p2", "p3"]),
    ],
)
def test_string_prefix_accent_and_case(seeded: SqliteStore, query: list[tuple[str, str]], expected: list[str]) -> None:
    assert _ids(seeded, "Patient", query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("patient", "p1")], ["m1"]),
        ([("patient", "Patient/p1")], ["m1"]),
        ([("patient", "http://127.0.0.1:8765/fhir/Patient/p2")], ["m2"]),
        ([("subject", "Patient/p1,Patient/p2")], ["m1", "m2"]),
        ([("subject:Patient", "p2")], ["m2"]),
        ([("patient", "nobody")], []),
        ([("status", "active"), ("intent", "order")], ["m1"]),
        ([("authoredon", "ge2024-02")], ["m1", "m2"]),
    ],
)
def test_reference_forms(seeded: SqliteStore, query: list[tuple[str, str]], expected: list[str]) -> None:
    assert _ids(seeded, "MedicationRequest", query) == expected
