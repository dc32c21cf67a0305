from typing import Any

from gateway.search import IndexRow, extract_index_rows, parse_date_range
from tests.store.sample_resources import LOINC, OBS_CATEGORY, lab, medication_request, patient


def _rows(resource: dict[str, Any], param: str) -> list[IndexRow]:
    return [row for row in extract_index_rows(resource) if row.param == param]


def test_codeable_concept_codings_are_tokens_and_text_and_display_are_codeless_text_rows() -> None:
    obs = lab("o1")
    obs["code"]["coding"][0]["display"] = "Glucose [Mass/volume]"
    assert _rows(obs, "code") == [
        IndexRow("code", token_system=LOINC, token_code="2345-7"),
        IndexRow("code", string_value="glucose [mass/volume]"),
        IndexRow("code", string_value="glucose"),
    ]
    assert _rows(obs, "category") == [IndexRow("category", token_system=OBS_CATEGORY, token_code="laboratory")]


def test_identifiers_and_codes_are_tokens() -> None:
    pat = patient()
    assert _rows(pat, "identifier") == [
        IndexRow("identifier", token_system="urn:fhirgate:kaiser:mrn", token_code="MRN-p1")
    ]
    assert _rows(pat, "gender") == [IndexRow("gender", token_code="female")]
    assert _rows(pat, "_id") == [IndexRow("_id", token_code="p1")]


def test_names_are_normalized_strings_per_part() -> None:
    pat = patient(family="Müller", given=("Ána", "María"))
    assert {r.string_value for r in _rows(pat, "name")} == {"muller", "ana", "maria"}
    assert [r.string_exact for r in _rows(pat, "family")] == ["Müller"]
    assert {r.string_value for r in _rows(pat, "given")} == {"ana", "maria"}


def test_dates_from_date_time_and_period() -> None:
    day = parse_date_range("2024-03-01")
    assert day is not None
    assert _rows(lab("o1", effective="2024-03-01"), "date") == [IndexRow("date", date_low=day.low, date_high=day.high)]
    start, end = parse_date_range("2024-02-20"), parse_date_range("2024-03-05")
    assert start is not None and end is not None
    period = lab("o2", effective={"start": "2024-02-20", "end": "2024-03-05"})
    assert _rows(period, "date") == [IndexRow("date", date_low=start.low, date_high=end.high)]


def test_references_are_type_slash_id_and_only_for_target_types() -> None:
    request = medication_request("m1")
    assert _rows(request, "patient") == [IndexRow("patient", reference="Patient/p1")]
    request["subject"] = {"reference": "https://example.org/fhir/Group/g1/_history/2"}
    assert _rows(request, "patient") == []
    assert _rows(request, "subject") == [IndexRow("subject", reference="Group/g1")]


def test_last_updated_is_indexed_for_every_type_even_outside_the_table() -> None:
    binary = {"resourceType": "Binary", "id": "b1", "meta": {"lastUpdated": "2024-05-01T12:00:00.000Z"}}
    assert {r.param for r in extract_index_rows(binary)} == {"_id", "_lastUpdated"}


def test_quantities_index_value_system_and_code() -> None:
    obs = lab("o1")
    obs["valueQuantity"] = {"value": 5.4, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"}
    assert _rows(obs, "value-quantity") == [
        IndexRow("value-quantity", token_system="http://unitsofmeasure.org", token_code="mg/dL", number=5.4)
    ]


def test_extension_steps_select_by_url_suffix() -> None:
    url = "http://hl7.org/fhir/StructureDefinition/condition-assertedDate"
    condition = {
        "resourceType": "Condition",
        "id": "c1",
        "extension": [{"url": "http://x/other", "valueDateTime": "2020"}, {"url": url, "valueDateTime": "2021"}],
    }
    (row,) = _rows(condition, "asserted-date")
    assert row.date_low == parse_date_range("2021").low  # type: ignore[union-attr]
