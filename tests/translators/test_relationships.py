"""Relationships surface: the GetRelationshipList roster -> US Core RelatedPerson, one row per quirk."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translators import TranslationContext, TranslationResult, stable_id, translate_relationships, validated
from translators.ids import FHIR_ID_PATTERN

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "relationships.json").read_text())
CTX = TranslationContext(patient_id="patient-1")
ROLE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
Raw = dict[str, Any]


def translate(mutate: Callable[[Raw], object] | None = None) -> TranslationResult:
    raw = copy.deepcopy(FIXTURE)
    if mutate is not None:
        mutate(raw)
    return translate_relationships(raw, CTX)


def person(result: TranslationResult, key: str) -> Raw:
    return next(r for r in result.resources if r["identifier"][0]["value"] == key)


def codes(resource: Raw) -> list[tuple[str | None, str | None, str | None]]:
    found = []
    for concept in resource.get("relationship", []):
        coding = (concept.get("coding") or [{}])[0]
        found.append((coding.get("system"), coding.get("code"), concept.get("text")))
    return found


def test_documented_example_is_a_us_core_related_person() -> None:
    result = translate()
    assert result.warnings == []
    robin = person(result, "WP-24aaaa-invented")
    assert robin["id"] == stable_id("relationships", "related:WP-24aaaa-invented")
    assert robin["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-relatedperson"]
    assert robin["meta"]["source"] == "urn:fhirgate:kaiser:relationships"
    assert robin["active"] is True
    assert robin["patient"] == {"reference": "Patient/patient-1"}
    assert robin["identifier"][0]["system"] == "urn:fhirgate:kaiser:nca:relationship"
    assert robin["name"] == [{"text": "EXAMPLE, ROBIN", "family": "Example", "given": ["Robin"]}]


ROWS: list[tuple[str, str, Callable[[Raw], Any]]] = [
    (
        "spouse coded SPS with the portal title as text",
        "WP-24aaaa-invented",
        lambda p: (ROLE, "SPS", "Spouse") in codes(p),
    ),
    (
        "non-legal designation kept as text only",
        "WP-24aaaa-invented",
        lambda p: (None, None, "Designated Decision Maker (not a legal designation)") in codes(p),
    ),
    (
        "contact with a phone is an emergency contact (v2-0131 C)",
        "WP-24aaaa-invented",
        lambda p: ("http://terminology.hl7.org/CodeSystem/v2-0131", "C", None) in codes(p),
    ),
    (
        "empty-string phones and email are omitted",
        "WP-24aaaa-invented",
        lambda p: p["telecom"] == [{"system": "phone", "value": "555-555-0100", "use": "mobile"}],
    ),
    (
        "IsPrimary kept as an extension",
        "WP-24aaaa-invented",
        lambda p: p["extension"] == [{"url": "urn:fhirgate:kaiser:extension:primary-contact", "valueBoolean": True}],
    ),
    (
        "address with a zip string and formatted text",
        "WP-24aaaa-invented",
        lambda p: (
            p["address"]
            == [
                {
                    "text": "2 Sample St\nSpringfield, CA 94501",
                    "line": ["2 Sample St"],
                    "city": "Springfield",
                    "state": "CA",
                    "postalCode": "94501",
                    "country": "UNITED STATES",
                }
            ]
        ),
    ),
    (
        "null First/LastName fall back to FormattedName verbatim",
        "WP-24eeee-invented",
        lambda p: p["name"] == [{"text": "SAMPLE, JO (CALL FIRST)"}],
    ),
    ("blank Street means no address", "WP-24eeee-invented", lambda p: "address" not in p),
    ("neighbor coded NBOR", "WP-24eeee-invented", lambda p: (ROLE, "NBOR", "Neighbor") in codes(p)),
    ("empty legal code adds no relationship", "WP-24eeee-invented", lambda p: len(p["relationship"]) == 2),
    (
        "DPOAHC legal role coded HPOWATT",
        "WP-24ffff-invented",
        lambda p: (ROLE, "HPOWATT", "DPOAHC Primary") in codes(p),
    ),
    ("no phone: not an emergency contact", "WP-24ffff-invented", lambda p: all(c[1] != "C" for c in codes(p))),
    (
        "email only telecom",
        "WP-24ffff-invented",
        lambda p: p["telecom"] == [{"system": "email", "value": "avery.specimen@example.test"}],
    ),
    (
        "Unit joins the address lines",
        "WP-24ffff-invented",
        lambda p: p["address"][0]["line"] == ["48 Fictional Ave", "4B"],
    ),
]


@pytest.mark.parametrize(("quirk", "key", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirk(quirk: str, key: str, check: Callable[[Raw], Any]) -> None:
    assert check(person(translate(), key)), quirk


def _set_relation(raw: Raw, value: str) -> None:
    raw["Relationships"][1]["RelationToPatient"]["Value"] = value


def test_title_without_a_role_code_is_text_only() -> None:
    result = translate(lambda raw: _set_relation(raw, "21"))
    assert (None, None, "Caregiver") in codes(person(result, "WP-24eeee-invented"))


def test_active_agent_without_a_legal_code_still_gets_hpowatt() -> None:
    def mutate(raw: Raw) -> None:
        raw["Relationships"][1]["IsActiveHealthCareAgent"] = True

    assert (ROLE, "HPOWATT", "Active health care agent") in codes(person(translate(mutate), "WP-24eeee-invented"))


def test_conservator_is_coded_guardian() -> None:
    def mutate(raw: Raw) -> None:
        raw["Relationships"][2]["LegalRelationToPatient"]["Value"] = "101"

    assert (ROLE, "GUARD", "Conservator") in codes(person(translate(mutate), "WP-24ffff-invented"))


def test_utf8_title_wins_over_the_ascii_folded_one() -> None:
    def mutate(raw: Raw) -> None:
        raw["CategoryData"]["1000"]["CategoryItems"].append(
            {"Value": "33", "Title": "Fiance", "TitleUtf8": "Fianc\u00e9"}
        )
        _set_relation(raw, "33")

    assert (None, None, "Fianc\u00e9") in codes(person(translate(mutate), "WP-24eeee-invented"))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda raw: _set_relation(raw, "999"), "RelationToPatient.Value"),
        (
            lambda raw: raw["Relationships"][0]["LegalRelationToPatient"].update(Value="555"),
            "LegalRelationToPatient.Value",
        ),
        (lambda raw: raw["Relationships"][0].update(Id=None), "Relationships[0].Id"),
        (lambda raw: raw["Relationships"][0].update(MobilePhone=["555"]), "Relationships[0].MobilePhone"),
        (lambda raw: raw.update(Relationships={"not": "a list"}), "Relationships"),
    ],
    ids=["unknown-relation-code", "unknown-legal-code", "missing-id", "phone-not-object", "roster-not-list"],
)
def test_malformed_input_gives_warnings_not_exceptions(mutate: Callable[[Raw], object], field: str) -> None:
    result = translate(mutate)
    assert any(warning.field == field for warning in result.warnings), result.warnings
    for resource in result.resources:
        assert validated(resource) == resource


def test_contact_with_neither_name_nor_relationship_claims_no_us_core_profile() -> None:
    def mutate(raw: Raw) -> None:
        entry = raw["Relationships"][2]
        entry.update(FormattedName="", FirstName=None, LastName=None, IsActiveHealthCareAgent=False)
        entry["RelationToPatient"]["Value"] = ""
        entry["LegalRelationToPatient"]["Value"] = ""

    result = translate(mutate)
    avery = person(result, "WP-24ffff-invented")
    assert "profile" not in avery["meta"] and "name" not in avery and "relationship" not in avery
    assert [(w.key, w.field) for w in result.warnings] == [("WP-24ffff-invented", "FormattedName")]


def test_success_flag_other_than_string_one_is_warned() -> None:
    result = translate(lambda raw: raw.update(Success="0"))
    assert [w.field for w in result.warnings] == ["Success"]
    assert len(result.resources) == 3


def test_output_is_deterministic_and_valid() -> None:
    first, second = translate(), translate()
    assert json.dumps(first.resources, sort_keys=True) == json.dumps(second.resources, sort_keys=True)
    for resource in first.resources:
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])
        assert validated(resource) == resource
