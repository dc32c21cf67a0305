"""Care-team surface: Load (+ LoadExternal) -> CareTeam, Practitioner, PractitionerRole; the PCP reference."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translators import (
    TranslationContext,
    TranslationResult,
    patient_id_from_profile,
    primary_care_reference,
    stable_id,
    translate_care_team,
    translate_profile,
    validated,
)
from translators.ids import FHIR_ID_PATTERN

FIXTURES = Path(__file__).parent / "fixtures"
LOAD = json.loads((FIXTURES / "care_team_load.json").read_text())
CTX = TranslationContext(patient_id="patient-1")
Raw = dict[str, Any]
PCP_ID = stable_id("care-team", "practitioner:WP-24bbbb-invented")


def translate(mutate: Callable[[Raw], object] | None = None, external: Raw | None = None) -> TranslationResult:
    raw = copy.deepcopy(LOAD)
    if mutate is not None:
        mutate(raw)
    return translate_care_team(raw, CTX, external=external)


def of_type(result: TranslationResult, resource_type: str) -> list[Raw]:
    return [r for r in result.resources if r["resourceType"] == resource_type]


def test_documented_example_yields_team_practitioners_and_roles() -> None:
    result = translate()
    assert result.warnings == []
    assert [r["resourceType"] for r in result.resources] == [
        "Practitioner",
        "PractitionerRole",
        "Practitioner",
        "PractitionerRole",
        "CareTeam",
    ]
    for resource in result.resources:
        assert resource["meta"]["source"] == "urn:fhirgate:kaiser:care-team"
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])
        assert validated(resource) == resource


ROWS: list[tuple[str, str, Callable[[Raw], Any]]] = [
    ("practitioner id is a stable hash of the opaque ID", "Practitioner", lambda r: r["id"] == PCP_ID),
    (
        "opaque ID kept under our system, never the NPI system",
        "Practitioner",
        lambda r: (
            r["identifier"]
            == [
                {"system": "urn:fhirgate:kaiser:nca:provider", "value": "WP-24bbbb-invented"},
                {"system": "urn:fhirgate:kaiser:nca:provider-handle", "value": "WP-24cccc-invented"},
            ]
        ),
    ),
    (
        "upper-case name with credential kept as text",
        "Practitioner",
        lambda r: r["name"] == [{"text": "ALEX SAMPLE MD"}],
    ),
    ("no US Core claim without name.family", "Practitioner", lambda r: "profile" not in r["meta"]),
    (
        "photo and public bio page",
        "Practitioner",
        lambda r: (
            r["photo"] == [{"url": "https://www.permanente.net/pmdb/photosync/000000_photoweb.jpg"}]
            and r["telecom"]
            == [{"system": "url", "value": "https://mydoctor.kaiserpermanente.org/ncal/doctor/alexsample"}]
        ),
    ),
    ("specialty as text", "PractitionerRole", lambda r: r["specialty"] == [{"text": "Family Practice"}]),
    ("relation as role code text", "PractitionerRole", lambda r: r["code"] == [{"text": "Primary Care Provider"}]),
    (
        "department as a logical organization reference",
        "PractitionerRole",
        lambda r: (
            r["organization"]
            == {
                "type": "Organization",
                "identifier": {"system": "urn:fhirgate:kaiser:nca:department", "value": "WP-24dddd-invented"},
            }
        ),
    ),
    (
        "role points at its practitioner",
        "PractitionerRole",
        lambda r: r["practitioner"]["reference"] == f"Practitioner/{PCP_ID}",
    ),
]


@pytest.mark.parametrize(("quirk", "resource_type", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirk(quirk: str, resource_type: str, check: Callable[[Raw], Any]) -> None:
    assert check(of_type(translate(), resource_type)[0]), quirk


def test_care_team_claims_us_core_with_a_participant_per_provider() -> None:
    (team,) = of_type(translate(), "CareTeam")
    assert team["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-careteam"]
    assert team["status"] == "active"
    assert team["name"] == "Care Team and Recent Providers"
    assert team["subject"] == {"reference": "Patient/patient-1"}
    assert [p["role"] for p in team["participant"]] == [[{"text": "Primary Care Provider"}], [{"text": "Cardiologist"}]]
    assert team["participant"][0]["member"] == {"reference": f"Practitioner/{PCP_ID}", "display": "ALEX SAMPLE MD"}


def test_missing_relation_is_data_absent_unknown() -> None:
    result = translate(lambda raw: raw["ProvidersList"][1].update(Relation=""))
    (team,) = of_type(result, "CareTeam")
    assert team["participant"][1]["role"][0]["coding"][0]["code"] == "unknown"


def test_external_providers_join_the_team_flagged_and_deduplicated() -> None:
    external = copy.deepcopy(LOAD)
    external["ProvidersList"][1].update(ID="WP-24ext-invented", IsExternal=True)
    (team,) = of_type(translate(external=external), "CareTeam")
    assert len(team["participant"]) == 3  # the shared PCP is not repeated
    assert team["participant"][2]["extension"] == [
        {"url": "urn:fhirgate:kaiser:extension:external-provider", "valueBoolean": True}
    ]


def test_empty_list_yields_no_care_team() -> None:
    result = translate(lambda raw: raw.update(ProvidersList=[]))
    assert result.resources == [] and result.warnings == []


def test_primary_care_reference_needs_the_exact_relation() -> None:
    assert primary_care_reference(LOAD) == f"Practitioner/{PCP_ID}"
    lowered = copy.deepcopy(LOAD)
    lowered["ProvidersList"][0]["Relation"] = "primary care provider"
    assert primary_care_reference(lowered) is None
    assert primary_care_reference(None) is None


def test_profile_takes_the_pcp_as_general_practitioner() -> None:
    profile = json.loads((FIXTURES / "profile_user.json").read_text())
    ctx = TranslationContext(patient_id=patient_id_from_profile(profile))
    plain = translate_profile(profile, ctx).resources[0]
    with_gp = translate_profile(profile, ctx, general_practitioner=f"Practitioner/{PCP_ID}").resources[0]
    assert "generalPractitioner" not in plain
    assert with_gp["generalPractitioner"] == [{"reference": f"Practitioner/{PCP_ID}"}]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda raw: raw["ProvidersList"][0].update(ID=None), "ProvidersList[0].ID"),
        (lambda raw: raw["ProvidersList"][0].update(Name=7), "ProvidersList[0].Name"),
        (lambda raw: raw.update(ProvidersList="nope"), "ProvidersList"),
        (lambda raw: raw["ProvidersList"][1].update(IsExternal="sometimes"), "ProvidersList[1].IsExternal"),
    ],
    ids=["missing-id", "name-not-string", "list-not-list", "flag-not-bool"],
)
def test_malformed_input_gives_warnings_not_exceptions(mutate: Callable[[Raw], object], field: str) -> None:
    result = translate(mutate)
    assert any(warning.field == field for warning in result.warnings), result.warnings
    for resource in result.resources:
        assert validated(resource) == resource


def test_output_is_deterministic() -> None:
    assert json.dumps(translate().resources) == json.dumps(translate().resources)
