"""Problem list -> Condition: every §2.8 quirk a row, determinism, validation, malformed input."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from translators import TranslationContext, translate_problem_list, validated

CTX = TranslationContext(patient_id="pat-1")
# Shaped exactly like the KAISER_API.md §2.8 example.
EXAMPLE: dict[str, Any] = {
    "DataList": [
        {
            "HealthIssueItem": {
                "Name": "Seasonal allergic rhinitis",
                "ID": "HI-invented-1",
                "EdgID": None,
                "FormattedDateNoted": "3/7/2021",
                "Organization": {},
                "UpdateInformation": None,
                "Action": 0,
                "ReferenceID": None,
                "Comments": None,
                "IsReadOnly": False,
                "TempID": None,
            },
            "LocalItem": {
                "Name": "Seasonal allergic rhinitis",
                "ID": "HI-invented-1",
                "FormattedDateNoted": "3/7/2021",
                "Action": 0,
                "IsReadOnly": False,
            },
            "ExternalItems": [],
            "ExternalOrgs": [],
            "ContentLinkURL": "",
            "ContentLinkPath": "",
            "Target": "",
            "HasLocalInstance": True,
        }
    ],
    "DateOfBirth": "2/29/1980",
    "HealthIssuesUrl": "Clinical/HealthIssues",
    "HasUpdateSecurity": False,
}


def _with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE)
    change(body["DataList"][0])
    return body


def test_the_documented_example_becomes_a_text_only_problem_list_condition() -> None:
    result = translate_problem_list(EXAMPLE, CTX)
    [condition] = result.resources
    assert not result.warnings
    assert condition["code"] == {"text": "Seasonal allergic rhinitis"}  # never an invented ICD/SNOMED coding
    assert condition["recordedDate"] == "2021-03-07" and "onsetDateTime" not in condition
    assert condition["category"][0]["coding"][0]["code"] == "problem-list-item"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert condition["meta"]["source"] == "urn:fhirgate:kaiser:problems"
    assert condition["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns"
    ]
    assert condition["identifier"][0] == {"system": "urn:fhirgate:kaiser:nca:health-issue-id", "value": "HI-invented-1"}
    assert condition["subject"] == {"reference": "Patient/pat-1"}


ROWS: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[list[dict[str, Any]]], bool], str | None]] = [
    ("no LocalItem: HealthIssueItem is used", lambda i: i.pop("LocalItem"), lambda r: len(r) == 1, None),
    (
        "empty date noted",
        lambda i: i["LocalItem"].update(FormattedDateNoted=""),
        lambda r: "recordedDate" not in r[0],
        None,
    ),
    (
        "two-digit month/day",
        lambda i: i["LocalItem"].update(FormattedDateNoted="12/31/2020"),
        lambda r: r[0]["recordedDate"] == "2020-12-31",
        None,
    ),
    (
        "comment becomes a note",
        lambda i: i["LocalItem"].update(Comments="Diet controlled."),
        lambda r: r[0]["note"] == [{"text": "Diet controlled."}],
        None,
    ),
    (
        "numeric ID",
        lambda i: i["LocalItem"].update(ID=12345),
        lambda r: r[0]["identifier"][0]["value"] == "12345",
        None,
    ),
    (
        "unknown Action: no status can be derived",
        lambda i: i["LocalItem"].update(Action=2),
        lambda r: r == [],
        "Action",
    ),
    ("no name", lambda i: i["LocalItem"].pop("Name"), lambda r: r == [], "Name"),
    (
        "unparseable date",
        lambda i: i["LocalItem"].update(FormattedDateNoted="13/45/2021"),
        lambda r: len(r) == 1 and "recordedDate" not in r[0],
        "FormattedDateNoted",
    ),
    ("wrong type for a name", lambda i: i["LocalItem"].update(Name=["x"]), lambda r: r == [], "Name"),
]


@pytest.mark.parametrize(("quirk", "change", "check", "warned"), ROWS, ids=[row[0] for row in ROWS])
def test_quirks(
    quirk: str,
    change: Callable[[dict[str, Any]], None],
    check: Callable[[list[dict[str, Any]]], bool],
    warned: str | None,
) -> None:
    result = translate_problem_list(_with(change), CTX)
    assert check(result.resources), quirk
    fields = [warning.field for warning in result.warnings]
    assert (warned in fields) if warned else not fields
    assert all(w.surface == "problems" for w in result.warnings)


def test_same_input_gives_byte_identical_json_and_every_resource_validates() -> None:
    first, second = translate_problem_list(EXAMPLE, CTX), translate_problem_list(copy.deepcopy(EXAMPLE), CTX)
    assert json.dumps(first.resources) == json.dumps(second.resources)
    assert all(validated(resource) == resource for resource in first.resources)


@pytest.mark.parametrize(
    "body", [{}, {"DataList": "oops"}, {"DataList": [None, 3, "x", {}]}, {"DataList": [{"LocalItem": 5}]}]
)
def test_malformed_payloads_never_raise(body: dict[str, Any]) -> None:
    result = translate_problem_list(body, CTX)
    assert result.resources == []
