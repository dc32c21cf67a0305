"""Profile facts beyond name and birth date: preferred language, temporary address, the preferred address flag."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from translators import TranslationContext, patient_id_from_profile, translate_profile

FIXTURES = Path(__file__).parent / "fixtures"
PREFERRED = "http://hl7.org/fhir/StructureDefinition/iso21090-preferred"
Raw = dict[str, Any]

TEMPORARY: Raw = {
    "type": "TEMPORARY",
    "label": "Temporary",
    "street1": "9 Sample Street",
    "street2": "Apt 4",
    "city": "Boston",
    "state": "MA",
    "postalCode": 21390042,
    "preferredIn": False,
}


def patient(**person_changes: Any) -> tuple[Raw, list[str]]:
    raw: Raw = json.loads((FIXTURES / "profile_user.json").read_text())
    raw["UserAccountData"]["ebizAccountsWithPersonInfos"].update(person_changes)
    result = translate_profile(raw, TranslationContext(patient_id=patient_id_from_profile(raw)))
    found = next(resource for resource in result.resources if resource["resourceType"] == "Patient")
    return found, [warning.field for warning in result.warnings]


LANGUAGES: list[tuple[str, object, Any]] = [
    ("two-letter code", "en", {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}),
    ("upper case as the refill chain writes it", "EN", {"coding": [{"system": "urn:ietf:bcp:47", "code": "en"}]}),
    ("language with region", "es_mx", {"coding": [{"system": "urn:ietf:bcp:47", "code": "es-MX"}]}),
    ("a name, not a tag: text only", "Spanish (Mexico)", {"text": "Spanish (Mexico)"}),
    ("absent", None, None),
]


@pytest.mark.parametrize(("quirk", "language", "expected"), LANGUAGES, ids=[row[0] for row in LANGUAGES])
def test_preferred_language_is_patient_communication(quirk: str, language: object, expected: Any) -> None:
    found, warnings = patient(preferredLanguage=language)

    if expected is None:
        assert "communication" not in found
    else:
        assert found["communication"] == [{"language": expected, "preferred": True}]
    assert warnings == []


def test_temporary_address_has_use_temp_and_every_address_its_preferred_flag() -> None:
    raw: Raw = json.loads((FIXTURES / "profile_user.json").read_text())
    addresses = raw["UserAccountData"]["ebizAccountsWithPersonInfos"]["contactInfo"]["addressInfos"]
    found, _ = patient(contactInfo={"addressInfos": [TEMPORARY, *addresses], "phoneInfos": []})

    mailing, temporary = found["address"]  # the preferred address first
    assert mailing["type"] == "postal" and "use" not in mailing
    assert mailing["extension"] == [{"url": PREFERRED, "valueBoolean": True}]
    assert temporary["use"] == "temp" and "type" not in temporary
    assert temporary["extension"] == [{"url": PREFERRED, "valueBoolean": False}]
    assert temporary["postalCode"] == "02139-0042" and temporary["line"] == ["9 Sample Street", "Apt 4"]


def test_an_address_without_preferredin_has_no_flag() -> None:
    found, _ = patient(contactInfo={"addressInfos": [{**TEMPORARY, "preferredIn": None}]})

    assert "extension" not in found["address"][0]
