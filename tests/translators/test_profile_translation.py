"""Profile surface: Patient, Coverage and Organizations from ``/mycare/v1.0/user``, quirk by quirk."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translators import (
    TranslationContext,
    UntranslatableError,
    patient_id_from_profile,
    stable_id,
    translate_profile,
    validated,
)
from translators.ids import FHIR_ID_PATTERN

FIXTURES = Path(__file__).parent / "fixtures"
Raw = dict[str, Any]


def load_profile() -> Raw:
    raw: Raw = json.loads((FIXTURES / "profile_user.json").read_text())
    return raw


def person(raw: Raw) -> Raw:
    value: Raw = raw["UserAccountData"]["ebizAccountsWithPersonInfos"]
    return value


def translate(raw: Raw) -> tuple[list[Raw], list[str]]:
    result = translate_profile(raw, TranslationContext(patient_id=patient_id_from_profile(raw)))
    return result.resources, [str(warning) for warning in result.warnings]


def patient_of(resources: list[Raw]) -> Raw:
    return next(resource for resource in resources if resource["resourceType"] == "Patient")


def coverage_of(resources: list[Raw]) -> Raw:
    return next(resource for resource in resources if resource["resourceType"] == "Coverage")


def test_documented_example_yields_patient_coverage_payer_and_purchaser() -> None:
    resources, warnings = translate(load_profile())

    assert [resource["resourceType"] for resource in resources] == [
        "Patient",
        "Coverage",
        "Organization",
        "Organization",
    ]
    assert warnings == []
    patient = resources[0]
    assert patient["id"] == patient_id_from_profile(load_profile()) == stable_id("profile", "patient:11110000")
    assert patient["meta"] == {
        "source": "urn:fhirgate:kaiser:profile",
        "profile": ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"],
    }
    assert patient["name"] == [
        {"use": "official", "family": "Example", "given": ["Dana", "Q"]},
        {"use": "usual", "given": ["Dee"]},
    ]
    assert patient["birthDate"] == "1980-02-29"
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert patient["identifier"][0]["system"] == "urn:fhirgate:kaiser:nca:mrn"
    assert patient["identifier"][0]["value"] == "11110000"
    assert patient["identifier"][1] == {"system": "urn:fhirgate:kaiser:nca:guid", "value": "7000001"}
    assert {"system": "email", "value": "dana@example.test"} in patient["telecom"]

    coverage = resources[1]
    kaiser, purchaser = resources[2], resources[3]
    assert kaiser["name"] == "Kaiser Permanente" and kaiser["active"] is True
    assert kaiser["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-organization"]
    assert purchaser["name"] == "ACME WIDGETS" and "profile" not in purchaser["meta"]
    assert coverage["status"] == "active"
    assert coverage["type"] == {"text": "HMO"}
    assert coverage["subscriberId"] == "11110000"
    assert coverage["beneficiary"] == {"reference": f"Patient/{patient['id']}"}
    assert coverage["payor"][0]["reference"] == f"Organization/{kaiser['id']}"
    assert coverage["policyHolder"]["reference"] == f"Organization/{purchaser['id']}"
    assert coverage["relationship"]["coding"][0]["code"] == "unknown"
    assert coverage["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-coverage"]


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        pytest.param(945010001, "94501-0001", id="zip+4-as-9-digit-int"),
        pytest.param(94501, "94501", id="zip5-int"),
        pytest.param(2134, "02134", id="leading-zero-lost"),
        pytest.param(21340001, "02134-0001", id="zip+4-leading-zero-lost"),
        pytest.param("94501", "94501", id="zip5-string"),
        pytest.param("945010001", "94501-0001", id="zip+4-string"),
        pytest.param(None, None, id="null"),
    ],
)
def test_postal_code_is_zero_padded_and_zip4_hyphenated(postal_code: object, expected: str | None) -> None:
    raw = load_profile()
    person(raw)["contactInfo"]["addressInfos"][0]["postalCode"] = postal_code

    address = patient_of(translate(raw)[0])["address"][0]

    assert address.get("postalCode") == expected
    assert address["line"] == ["1 Test Way"]  # street2 null dropped
    assert address["type"] == "postal"


def test_address_street2_kept_as_second_line() -> None:
    raw = load_profile()
    person(raw)["contactInfo"]["addressInfos"][0]["street2"] = "Apt 4"

    assert patient_of(translate(raw)[0])["address"][0]["line"] == ["1 Test Way", "Apt 4"]


def test_phones_are_zero_padded_mapped_to_uses_and_sorted() -> None:
    telecom = patient_of(translate(load_profile())[0])["telecom"]

    assert telecom == [
        {"system": "phone", "value": "555-005-0042", "use": "work"},
        {"system": "phone", "value": "555-555-0123", "use": "home"},
        {"system": "phone", "value": "555-555-1000", "use": "home"},
        {"system": "phone", "value": "555-555-9876", "use": "mobile"},
        {"system": "email", "value": "dana@example.test"},
    ]


@pytest.mark.parametrize("rotation", [1, 2, 3])
def test_phone_order_from_the_portal_does_not_change_the_output(rotation: int) -> None:
    raw = load_profile()
    permuted = copy.deepcopy(raw)
    phones = person(permuted)["contactInfo"]["phoneInfos"]
    person(permuted)["contactInfo"]["phoneInfos"] = phones[rotation:] + phones[:rotation]

    assert json.dumps(translate(permuted)[0]) == json.dumps(translate(raw)[0])


def test_primary_phone_ranks_first_and_extension_is_kept() -> None:
    raw = load_profile()
    phone = person(raw)["contactInfo"]["phoneInfos"][3]
    phone["primaryIndicator"] = True
    phone["phoneNumber"]["extension"] = "12"

    first = patient_of(translate(raw)[0])["telecom"][0]

    assert first == {"system": "phone", "value": "555-555-1000 ext. 12", "use": "home", "rank": 1}


@pytest.mark.parametrize(
    ("gender", "expected", "warned"),
    [
        ("F", "female", False),
        ("M", "male", False),
        ("m", "male", False),
        ("U", "unknown", True),
        (None, "unknown", False),
        ("", "unknown", False),
    ],
)
def test_gender_mapping(gender: str | None, expected: str, warned: bool) -> None:
    raw = load_profile()
    person(raw)["gender"] = gender

    resources, warnings = translate(raw)

    assert patient_of(resources)["gender"] == expected
    assert any("gender" in warning for warning in warnings) is warned


@pytest.mark.parametrize("middle", [None, "", "  "])
def test_missing_middle_name_leaves_only_the_first_name(middle: str | None) -> None:
    raw = load_profile()
    person(raw)["nameDetails"]["middleName"] = middle

    assert patient_of(translate(raw)[0])["name"][0] == {"use": "official", "family": "Example", "given": ["Dana"]}


def test_no_name_at_all_uses_the_data_absent_reason_extension() -> None:
    raw = load_profile()
    person(raw)["nameDetails"] = {}
    raw["UserAccountData"]["userIdentityInfo"]["preferredGivenName"] = None

    resources, warnings = translate(raw)

    assert patient_of(resources)["name"] == [
        {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]}
    ]
    assert any("nameDetails" in warning for warning in warnings)


@pytest.mark.parametrize(
    ("start", "end", "status", "period"),
    [
        pytest.param("2020-01-01", "9999-12-31", "active", {"start": "2020-01-01"}, id="open-end-omitted"),
        pytest.param(
            "2020-01-01", "2021-06-30", "active", {"start": "2020-01-01", "end": "2021-06-30"}, id="ended-kept"
        ),
        pytest.param(
            "2021-01-01", "2020-12-31", "cancelled", {"start": "2021-01-01", "end": "2020-12-31"}, id="end-before-start"
        ),
        pytest.param(None, "N/A", "active", None, id="no-dates"),
    ],
)
def test_coverage_period_and_status(start: str | None, end: str, status: str, period: Raw | None) -> None:
    raw = load_profile()
    plan = person(raw)["membershipAccountInfo"]["planInfos"][0]
    plan["coverageStartDate"], plan["coverageEndDate"] = start, end

    coverage = coverage_of(translate(raw)[0])

    assert coverage["status"] == status
    assert coverage.get("period") == period


def test_absent_plans_yield_only_the_patient_without_warnings() -> None:
    raw = load_profile()
    person(raw)["membershipAccountInfo"]["planInfos"] = None

    resources, warnings = translate(raw)

    assert [resource["resourceType"] for resource in resources] == ["Patient"]
    assert warnings == []


def test_two_plans_with_one_purchaser_share_one_organization() -> None:
    raw = load_profile()
    plans = person(raw)["membershipAccountInfo"]["planInfos"]
    plans.append(dict(plans[0], consumerPlanType="DENTAL"))

    resources, _ = translate(raw)

    assert [resource["resourceType"] for resource in resources].count("Coverage") == 2
    assert [resource["resourceType"] for resource in resources].count("Organization") == 2
    assert len({resource["id"] for resource in resources}) == len(resources)


@pytest.mark.parametrize(
    ("mutate", "expected_key"),
    [
        pytest.param(lambda raw: None, "patient:11110000", id="mrn"),
        pytest.param(lambda raw: person(raw).pop("areaOfCareInfos"), "patient:11110000", id="account-id"),
        pytest.param(
            lambda raw: (person(raw).pop("areaOfCareInfos"), person(raw).pop("membershipAccountInfo")),
            "patient:guid:7000001",
            id="guid",
        ),
        pytest.param(
            lambda raw: person(raw)["areaOfCareInfos"][0].update(mrn="11110000"), "patient:11110000", id="mrn-string"
        ),
    ],
)
def test_patient_id_falls_back_from_mrn_to_account_to_guid(mutate: Callable[[Raw], object], expected_key: str) -> None:
    raw = load_profile()
    mutate(raw)

    assert patient_id_from_profile(raw) == stable_id("profile", expected_key)
    resources, _ = translate(raw)
    assert patient_of(resources)["identifier"]


def test_patient_id_without_any_key_raises_untranslatable() -> None:
    with pytest.raises(UntranslatableError):
        patient_id_from_profile({"UserAccountData": {"userIdentityInfo": {"email": "x@example.test"}}})


def test_payload_without_the_user_account_wrapper_is_accepted() -> None:
    raw = load_profile()["UserAccountData"]

    assert patient_id_from_profile(raw) == patient_id_from_profile(load_profile())
    assert patient_of(translate(raw)[0])["gender"] == "female"


def test_context_patient_id_mismatch_is_warned() -> None:
    result = translate_profile(load_profile(), TranslationContext(patient_id="someone-else"))

    assert any(warning.field == "patient_id" for warning in result.warnings)


MALFORMED: list[tuple[str, Callable[[Raw], object]]] = [
    ("phone-infos-object", lambda raw: person(raw)["contactInfo"].update(phoneInfos={"a": 1})),
    ("phone-number-string", lambda raw: person(raw)["contactInfo"]["phoneInfos"][0].update(phoneNumber="5551234")),
    ("phone-part-too-big", lambda raw: person(raw)["contactInfo"]["phoneInfos"][0]["phoneNumber"].update(area=5551)),
    ("name-details-string", lambda raw: person(raw).update(nameDetails="Dana Example")),
    ("plan-infos-string", lambda raw: person(raw)["membershipAccountInfo"].update(planInfos="HMO")),
    ("plan-item-string", lambda raw: person(raw)["membershipAccountInfo"].update(planInfos=["HMO"])),
    ("bad-birth-date", lambda raw: person(raw).update(dateOfBirth="1980-02-30")),
    ("bad-coverage-date", lambda raw: person(raw)["membershipAccountInfo"]["planInfos"][0].update(coverageStartDate=7)),
    ("contact-info-list", lambda raw: person(raw).update(contactInfo=[])),
    ("email-number", lambda raw: raw["UserAccountData"]["userIdentityInfo"].update(email=42)),
    ("gender-bool", lambda raw: person(raw).update(gender=True)),
]


@pytest.mark.parametrize(("name", "mutate"), MALFORMED, ids=[name for name, _ in MALFORMED])
def test_malformed_fields_give_warnings_not_exceptions(name: str, mutate: Callable[[Raw], object]) -> None:
    raw = load_profile()
    mutate(raw)

    resources, warnings = translate(raw)

    assert warnings, name
    assert patient_of(resources)["id"] == patient_id_from_profile(load_profile())
    for resource in resources:
        assert validated(resource) == resource


@pytest.mark.parametrize("raw", [{}, {"UserAccountData": None}, {"UserAccountData": "x"}, []])
def test_unidentifiable_payload_yields_a_warning_and_no_resources(raw: Any) -> None:
    result = translate_profile(raw, TranslationContext(patient_id="p"))

    assert result.resources == []
    assert result.warnings


def test_output_is_deterministic_valid_and_well_identified() -> None:
    first, _ = translate(load_profile())
    second, _ = translate(load_profile())

    assert json.dumps(first) == json.dumps(second)
    for resource in first:
        assert validated(resource) == resource
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])
        assert resource["meta"]["source"] == "urn:fhirgate:kaiser:profile"
        assert "lastUpdated" not in resource["meta"] and "versionId" not in resource["meta"]
