"""Allergies -> AllergyIntolerance: "no known allergies" vs "unknown", the inferred item shape with fallbacks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from translators import TranslationContext, translate_allergy_list, validated

CTX = TranslationContext(patient_id="pat-1")
CATALOG = [
    {"Value": "3", "Title": "Asthma and/or Shortness of Breath", "IsInactive": False},
    {"Value": "7", "Title": "Hives"},
]
# The captured §2.9 empty state.
NO_KNOWN: dict[str, Any] = {
    "DataList": [],
    "ReactionList": CATALOG,
    "DateOfBirth": "2/29/1980",
    "AllergiesUrl": "Clinical/Allergies",
    "AllergiesStatus": 0,
}
# Inferred item shape (never captured): modelled on the problem list.
INFERRED_ITEM: dict[str, Any] = {
    "LocalItem": {
        "Name": "Penicillins",
        "ID": "AL-1",
        "FormattedDateNoted": "3/7/2021",
        "Action": 0,
        "IsReadOnly": False,
        "Comments": None,
        "Reactions": ["7", "3"],
        "Severity": "High",
    },
}


def _list(*items: dict[str, Any], status: int | None = 1) -> dict[str, Any]:
    return {"DataList": [copy.deepcopy(item) for item in items], "ReactionList": CATALOG, "AllergiesStatus": status}


def test_empty_list_with_status_zero_is_one_no_known_allergy_statement() -> None:
    result = translate_allergy_list(NO_KNOWN, CTX)
    [nka] = result.resources
    assert nka["code"]["coding"] == [
        {"system": "http://snomed.info/sct", "code": "716186003", "display": "No known allergy"}
    ]
    assert nka["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert nka["clinicalStatus"]["coding"][0]["code"] == "active"
    assert nka["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-allergyintolerance"]
    assert not result.warnings


@pytest.mark.parametrize("status", [None, 1, 7, "x"])
def test_empty_list_with_any_other_status_is_unknown_never_no_known_allergies(status: object) -> None:
    result = translate_allergy_list({**NO_KNOWN, "AllergiesStatus": status}, CTX)
    assert result.resources == []
    assert [w.field for w in result.warnings][-1] == "AllergiesStatus"


def test_an_inferred_item_maps_name_date_reactions_and_severity() -> None:
    [allergy] = translate_allergy_list(_list(INFERRED_ITEM), CTX).resources
    assert allergy["code"] == {"text": "Penicillins"} and allergy["recordedDate"] == "2021-03-07"
    assert allergy["reaction"] == [
        {"manifestation": [{"text": "Hives"}, {"text": "Asthma and/or Shortness of Breath"}], "severity": "severe"}
    ]


ROWS: list[tuple[str, dict[str, Any], Any, str | None]] = [
    ("flat item (no wrapper)", dict(INFERRED_ITEM["LocalItem"]), lambda a: a["code"]["text"] == "Penicillins", None),
    (
        "AllergyItem wrapper only",
        {"AllergyItem": INFERRED_ITEM["LocalItem"]},
        lambda a: a["recordedDate"] == "2021-03-07",
        None,
    ),
    (
        "reactions as objects",
        {"LocalItem": {**INFERRED_ITEM["LocalItem"], "Reactions": [{"Value": "7"}, {"Title": "Rash"}]}},
        lambda a: [m["text"] for m in a["reaction"][0]["manifestation"]] == ["Hives", "Rash"],
        None,
    ),
    (
        "reaction value outside the catalog kept as text",
        {"LocalItem": {**INFERRED_ITEM["LocalItem"], "Reactions": ["Sneezing"]}},
        lambda a: a["reaction"][0]["manifestation"] == [{"text": "Sneezing"}],
        None,
    ),
    (
        "medium severity",
        {"LocalItem": {**INFERRED_ITEM["LocalItem"], "Severity": "Medium"}},
        lambda a: a["reaction"][0]["severity"] == "moderate",
        None,
    ),
    (
        "unknown severity",
        {"LocalItem": {**INFERRED_ITEM["LocalItem"], "Severity": "Extreme"}},
        lambda a: "severity" not in a["reaction"][0],
        "Severity",
    ),
    (
        "severity without reactions",
        {"LocalItem": {**INFERRED_ITEM["LocalItem"], "Reactions": []}},
        lambda a: "reaction" not in a,
        "Severity",
    ),
    (
        "comment",
        {"LocalItem": {**INFERRED_ITEM["LocalItem"], "Comments": "As a child"}},
        lambda a: a["note"] == [{"text": "As a child"}],
        None,
    ),
]


@pytest.mark.parametrize(("quirk", "item", "check", "warned"), ROWS, ids=[row[0] for row in ROWS])
def test_item_shape_fallbacks(quirk: str, item: dict[str, Any], check: Any, warned: str | None) -> None:
    result = translate_allergy_list(_list(item), CTX)
    [allergy] = result.resources
    assert check(allergy), quirk
    assert [w.field for w in result.warnings] == ([warned] if warned else [])


def test_items_without_id_or_name_or_with_unknown_action_are_skipped_with_warnings() -> None:
    items: list[dict[str, Any]] = [
        {"LocalItem": {"Name": "X"}},
        {"LocalItem": {"ID": "A"}},
        {"LocalItem": {"ID": "B", "Name": "Y", "Action": 4}},
    ]
    result = translate_allergy_list(_list(*items), CTX)
    assert result.resources == [] and [w.field for w in result.warnings] == ["ID", "Name", "Action"]


def test_deterministic_and_valid() -> None:
    body = _list(INFERRED_ITEM)
    first, second = translate_allergy_list(body, CTX), translate_allergy_list(copy.deepcopy(body), CTX)
    assert json.dumps(first.resources) == json.dumps(second.resources)
    assert all(validated(r) == r for r in first.resources + translate_allergy_list(NO_KNOWN, CTX).resources)


@pytest.mark.parametrize(
    ("body", "types", "warned"),
    [
        ({}, [], ["AllergiesStatus"]),
        ({"DataList": None, "AllergiesStatus": 0}, ["AllergyIntolerance"], []),
        ({"DataList": [1, None]}, [], ["DataList[0]", "ID", "ID"]),
        ({"DataList": "x"}, [], ["DataList", "AllergiesStatus"]),
    ],
)
def test_malformed_payloads_give_valid_resources_and_warn_of_each_flaw(
    body: dict[str, Any], types: list[str], warned: list[str]
) -> None:
    result = translate_allergy_list(body, CTX)
    assert [resource["resourceType"] for resource in result.resources] == types
    assert all(validated(resource) == resource for resource in result.resources)
    assert [warning.field for warning in result.warnings] == warned
