"""Test-results surface: DiagnosticReport + Observations from ``GetList`` entries and ``GetDetails``."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translators import TranslationContext, TranslationResult, stable_id, translate_lab_result, validated
from translators.ids import FHIR_ID_PATTERN

FIXTURES = Path(__file__).parent / "fixtures"
CTX = TranslationContext(patient_id="patient-1")
Raw = dict[str, Any]
LAB_OBSERVATION = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-lab"
LAB_REPORT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-diagnosticreport-lab"
UCUM = "http://unitsofmeasure.org"


def load(name: str) -> Raw:
    raw: Raw = json.loads((FIXTURES / name).read_text())
    return raw


def portal_inputs(order_key: str) -> tuple[Raw, Raw, Raw]:
    """(list entry, detail, group) exactly as the fetcher hands them over: the entry from the caret key."""
    listing, details = load("lab_results_list.json"), load("lab_results_details.json")
    group = next(group for group in listing["newResultGroups"] if order_key in group["resultList"])
    return listing["newResults"][f"{order_key}^"], details[order_key], group


def translate(order_key: str, mutate: Callable[[Raw, Raw], object] | None = None) -> TranslationResult:
    entry, detail, group = portal_inputs(order_key)
    if mutate is not None:
        mutate(entry, detail)
    return translate_lab_result(entry, detail, CTX, group=group)


def observations_by_code(result: TranslationResult) -> dict[str, Raw]:
    return {
        resource["code"].get("text", "?"): resource
        for resource in result.resources
        if resource["resourceType"] == "Observation"
    }


def report_of(result: TranslationResult) -> Raw:
    reports = [resource for resource in result.resources if resource["resourceType"] == "DiagnosticReport"]
    assert len(reports) == 1
    return reports[0]


def test_documented_example_is_one_report_with_one_observation_per_component() -> None:
    result = translate("ORD-invented-1")

    assert result.warnings == []
    report = report_of(result)
    observations = [resource for resource in result.resources if resource["resourceType"] == "Observation"]
    assert report["id"] == stable_id("test-results", "dr:ORD-invented-1")
    assert report["identifier"] == [{"system": "urn:fhirgate:kaiser:nca:order-key", "value": "ORD-invented-1"}]
    assert report["status"] == "final"
    assert report["category"][0]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v2-0074",
        "code": "LAB",
        "display": "Laboratory",
    }
    assert report["code"] == {"text": "BASIC METABOLIC PANEL"}
    assert report["subject"] == {"reference": "Patient/patient-1"}
    assert report["effectiveDateTime"] == "2026-01-10T07:50:00-08:00"  # offset borrowed from the group's sortDate
    assert report["issued"] == "2026-01-10T16:15:00Z"
    assert report["performer"] == [{"display": "ALEX SAMPLE MD"}]
    assert report["conclusion"] == "Potassium slightly high; recheck in 2 weeks."
    assert report["meta"]["profile"] == [LAB_REPORT]
    assert report["result"] == [{"reference": f"Observation/{obs['id']}"} for obs in observations]

    potassium = observations[0]
    assert potassium["id"] == stable_id("test-results", "obs:ORD-invented-1:C-invented-1")
    assert potassium["identifier"] == [{"system": "urn:fhirgate:kaiser:nca:component-id", "value": "C-invented-1"}]
    assert potassium["status"] == "final"
    assert potassium["category"][0]["coding"][0]["code"] == "laboratory"
    assert potassium["code"] == {
        "coding": [
            {"system": "urn:fhirgate:kaiser:nca:lab-component-name", "code": "POTASSIUM", "display": "POTASSIUM"},
            {
                "system": "http://loinc.org",
                "code": "2823-3",
                "display": "Potassium [Moles/volume] in Serum or Plasma",
                "userSelected": False,
            },
        ],
        "text": "Potassium",
    }
    assert potassium["specimen"] == {"display": "Blood"} and report["specimen"] == [{"display": "Blood"}]
    assert potassium["effectiveDateTime"] == report["effectiveDateTime"]
    assert potassium["issued"] == report["issued"]
    assert potassium["meta"] == {"source": "urn:fhirgate:kaiser:test-results", "profile": [LAB_OBSERVATION]}


def quantity(value: float, unit: str, code: str | None, comparator: str | None = None) -> Raw:
    result: Raw = {"value": value}
    if comparator:
        result["comparator"] = comparator
    result["unit"] = unit
    if code:
        result.update(system=UCUM, code=code)
    return result


COMPONENTS: list[tuple[str, str, str, Raw]] = [
    # (order, Observation code.text, quirk, expected subset of the Observation)
    (
        "ORD-invented-1",
        "Potassium",
        "numeric with two-sided range, High flag",
        {
            "valueQuantity": quantity(5.4, "mmol/L", "mmol/L"),
            "interpretation": [{"coding": [{"code": "H", "display": "High"}]}],
            "referenceRange": [
                {"low": quantity(3.5, "mmol/L", "mmol/L"), "high": quantity(5.0, "mmol/L", "mmol/L"), "text": "3.5-5.0"}
            ],
        },
    ),
    (
        "ORD-invented-1",
        "eGFR",
        "'>90' comparator, range only as formatted '>=60', annotated UCUM unit",
        {
            "valueQuantity": quantity(90, "mL/min/1.73m2", "mL/min/{1.73_m2}", ">"),
            "interpretation": [{"coding": [{"code": "N"}]}],
            "referenceRange": [{"low": quantity(60, "mL/min/1.73m2", "mL/min/{1.73_m2}"), "text": ">=60"}],
        },
    ),
    (
        "ORD-invented-2",
        "LDL Cholesterol",
        "'<89' comparator, numericValue absent, empty formatted range built from exclusive high, '' flag",
        {
            "valueQuantity": quantity(89, "mg/dL", "mg/dL", "<"),
            "interpretation": None,
            "referenceRange": [{"high": quantity(100, "mg/dL", "mg/dL"), "text": "<100"}],
        },
    ),
    (
        "ORD-invented-2",
        "Ketones",
        "'Negative' -> valueString, numericValue junk string, empty unit",
        {"valueString": "Negative", "valueQuantity": None, "referenceRange": [{"text": "Negative"}]},
    ),
    (
        "ORD-invented-2",
        "Sodium",
        "numericValue absent -> parsed from value, Unknown flag omitted",
        {"valueQuantity": quantity(140, "mmol/L", "mmol/L"), "interpretation": None},
    ),
    (
        "ORD-invented-2",
        "Glucose",
        "numericValue junk -> parsed from value, one-sided low built as '>70' (exclusive)",
        {
            "valueQuantity": quantity(97, "mg/dL", "mg/dL"),
            "referenceRange": [{"low": quantity(70, "mg/dL", "mg/dL"), "text": ">70"}],
        },
    ),
    (
        "ORD-invented-2",
        "Hemoglobin",
        "Low flag, HTML comment -> plain-text note",
        {
            "valueQuantity": quantity(11.2, "g/dL", "g/dL"),
            "interpretation": [{"coding": [{"code": "L", "display": "Low"}]}],
            "note": [
                {
                    "text": "Specimen slightly hemolyzed & results may be affected.\n"
                    "Repeat if clinically indicated.\n\nReviewed by lab staff."
                }
            ],
        },
    ),
    (
        "ORD-invented-2",
        "White Blood Cell Count",
        "value absent -> numericValue, K/uL -> 10*3/uL",
        {"valueQuantity": quantity(12.7, "K/uL", "10*3/uL"), "interpretation": [{"coding": [{"code": "H"}]}]},
    ),
    (
        "ORD-invented-2",
        "CULTURE COMMENT",
        "no commonName -> name; empty value + NaN numericValue -> dataAbsentReason; Abnormal flag",
        {
            "dataAbsentReason": {"coding": [{"code": "unknown"}]},
            "valueQuantity": None,
            "valueString": None,
            "interpretation": [{"coding": [{"code": "A", "display": "Abnormal"}]}],
            "referenceRange": None,
        },
    ),
    (
        "ORD-invented-2",
        "Creatinine",
        "'>= 1.5' comparator with space; one-sided formatted '<1.3' parsed to high",
        {
            "valueQuantity": quantity(1.5, "mg/dL", "mg/dL", ">="),
            "referenceRange": [{"high": quantity(1.3, "mg/dL", "mg/dL"), "text": "<1.3"}],
        },
    ),
    (
        "ORD-invented-5",
        "Hemoglobin A1c",
        "'%' unit; zone-less collection on another day than the group -> date only",
        {"valueQuantity": quantity(5.6, "%", "%"), "effectiveDateTime": "2025-03-13"},
    ),
]


def assert_subset(actual: Any, expected: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            if value is None:
                assert key not in actual, f"{path}.{key} should be absent"
            else:
                assert key in actual, f"{path}.{key} missing"
                assert_subset(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for index, (left, right) in enumerate(zip(actual, expected, strict=True)):
            assert_subset(left, right, f"{path}[{index}]")
    else:
        assert actual == expected, path


@pytest.mark.parametrize(
    ("order_key", "code_text", "quirk", "expected"), COMPONENTS, ids=[row[2] for row in COMPONENTS]
)
def test_component_quirks(order_key: str, code_text: str, quirk: str, expected: Raw) -> None:
    observation = observations_by_code(translate(order_key))[code_text]

    assert_subset(observation, expected)


def test_unmapped_flag_is_omitted_with_a_warning() -> None:
    result = translate("ORD-invented-2")

    assert "interpretation" not in observations_by_code(result)["Creatinine"]
    assert [warning.field for warning in result.warnings] == [
        "results[0].resultComponents[7].componentResultInfo.abnormalFlagCategoryValue"
    ]


def test_preliminary_status_flows_to_observations_and_authorizing_provider_is_performer() -> None:
    result = translate("ORD-invented-2")

    assert report_of(result)["status"] == "preliminary"
    assert {resource["status"] for resource in result.resources} == {"preliminary"}
    assert report_of(result)["performer"] == [{"display": "JORDAN TEST MD"}]


def test_imaging_report_has_impression_conclusion_and_sanitized_narrative() -> None:
    result = translate("ORD-invented-3")

    report = report_of(result)
    assert result.resources == [report]
    assert report["category"][0]["coding"][0]["code"] == "RAD"
    assert report["conclusion"] == "No acute cardiopulmonary process."
    assert "profile" not in report["meta"]
    assert "result" not in report
    form = report["presentedForm"][0]
    assert form["contentType"] == "text/html; charset=utf-8"
    assert form["title"] == "Narrative"
    html = base64.b64decode(form["data"]).decode()
    assert "FINDINGS: Lungs are clear.<br>Heart size normal." in html


def test_other_report_keeps_result_note_as_sanitized_html_and_category_text() -> None:
    report = report_of(translate("ORD-invented-4"))

    assert report["category"] == [{"text": "Other"}]
    assert report["effectiveDateTime"] == "2025-03-14T09:15:00-07:00"
    html = base64.b64decode(report["presentedForm"][0]["data"]).decode()
    assert html == "<div><p>FINAL DIAGNOSIS: Benign seborrheic keratosis.</p></div>"  # data-* attribute gone


def test_other_report_falls_back_to_plain_result_note_string() -> None:
    def plain_only(entry: Raw, detail: Raw) -> None:
        detail["results"][0]["resultNote"]["contentAsHtml"] = ""

    report = report_of(translate("ORD-invented-4", plain_only))

    assert report["presentedForm"][0]["contentType"] == "text/plain; charset=utf-8"


def test_unknown_result_status_becomes_unknown_with_a_warning() -> None:
    result = translate("ORD-invented-5")

    report = report_of(result)
    assert report["status"] == "unknown"
    assert [(warning.key, warning.field) for warning in result.warnings] == [("ORD-invented-5", "resultStatus")]
    assert report["meta"]["profile"] == [LAB_REPORT]  # us-core-8/9 do not bind status unknown


def test_without_group_the_collection_time_keeps_only_its_date() -> None:
    entry, detail, _ = portal_inputs("ORD-invented-1")

    report = report_of(translate_lab_result(entry, detail, CTX))

    assert report["effectiveDateTime"] == "2026-01-10"


def test_unparseable_collection_time_falls_back_to_the_result_instant() -> None:
    def garble(entry: Raw, detail: Raw) -> None:
        detail["results"][0]["orderMetadata"]["collectionTimestampsDisplay"] = "sometime last week"

    result = translate("ORD-invented-1", garble)

    assert report_of(result)["effectiveDateTime"] == "2026-01-10T16:15:00Z"
    assert [warning.field for warning in result.warnings] == ["collectionTimestampsDisplay"]


def test_the_caret_never_reaches_an_identifier() -> None:
    entry, detail, group = portal_inputs("ORD-invented-1")
    entry = dict(entry, key="ORD-invented-1^")

    report = report_of(translate_lab_result(entry, detail, CTX, group=group))

    assert report["identifier"][0]["value"] == "ORD-invented-1"


def test_duplicate_component_ids_get_distinct_observations() -> None:
    def duplicate(entry: Raw, detail: Raw) -> None:
        components = detail["results"][0]["resultComponents"]
        components[1]["componentInfo"]["componentID"] = components[0]["componentInfo"]["componentID"]

    result = translate("ORD-invented-1", duplicate)

    ids = [resource["id"] for resource in result.resources]
    assert len(set(ids)) == 3
    assert any("duplicate componentID" in warning.message for warning in result.warnings)


MALFORMED: list[tuple[str, Callable[[Raw, Raw], object], int]] = [
    # (case, mutation of (entry, detail), resources still produced)
    ("results-not-a-list", lambda entry, detail: detail.update(results={"0": {}}), 0),
    ("results-empty", lambda entry, detail: detail.update(results=[]), 0),
    ("results-null-item", lambda entry, detail: detail.update(results=[None]), 0),
    ("components-not-a-list", lambda entry, detail: detail["results"][0].update(resultComponents="x"), 1),
    ("component-null", lambda entry, detail: detail["results"][0]["resultComponents"].insert(0, None), 3),
    (
        "component-info-string",
        lambda entry, detail: detail["results"][0]["resultComponents"][0].update(componentInfo="POTASSIUM"),
        3,
    ),
    (
        "reference-range-string",
        lambda entry, detail: detail["results"][0]["resultComponents"][0]["componentResultInfo"].update(
            referenceRange="3.5-5.0"
        ),
        3,
    ),
    ("metadata-list", lambda entry, detail: detail["results"][0].update(orderMetadata=[]), 3),
    (
        "bad-instant",
        lambda entry, detail: (
            detail["results"][0]["orderMetadata"].update(prioritizedInstantISO="2026-01-10 16:15"),
            entry["orderMetadata"].update(prioritizedInstantISO=None),
        ),
        3,
    ),
    ("provider-comments-object", lambda entry, detail: detail["results"][0].update(providerComments={}), 3),
    ("two-results", lambda entry, detail: detail["results"].append(copy.deepcopy(detail["results"][0])), 3),
]


@pytest.mark.parametrize(("case", "mutate", "produced"), MALFORMED, ids=[row[0] for row in MALFORMED])
def test_malformed_details_give_warnings_not_exceptions(
    case: str, mutate: Callable[[Raw, Raw], object], produced: int
) -> None:
    result = translate("ORD-invented-1", mutate)

    assert result.warnings, case
    assert all(warning.key == "ORD-invented-1" for warning in result.warnings)
    assert len(result.resources) == produced
    for resource in result.resources:
        assert validated(resource) == resource


def test_results_not_a_list_names_the_order_in_its_warning() -> None:
    result = translate("ORD-invented-1", lambda entry, detail: detail.update(results="oops"))

    assert result.resources == []
    assert [(warning.surface, warning.key, warning.field) for warning in result.warnings] == [
        ("test-results", "ORD-invented-1", "results")
    ]


@pytest.mark.parametrize(
    ("entry", "detail"),
    [
        pytest.param({"key": "ORD-x"}, None, id="null-detail"),
        pytest.param({"key": "ORD-x"}, "<html>login</html>", id="html-detail"),
        pytest.param(None, None, id="nothing"),
        pytest.param([], {}, id="wrong-types-no-key"),
    ],
)
def test_missing_details_yield_warnings_and_nothing_else(entry: Any, detail: Any) -> None:
    result = translate_lab_result(entry, detail, CTX)

    assert result.resources == []
    assert result.warnings


@pytest.mark.parametrize("order_key", ["ORD-invented-1", "ORD-invented-2", "ORD-invented-3", "ORD-invented-4"])
def test_output_is_deterministic_valid_and_well_identified(order_key: str) -> None:
    first, second = translate(order_key), translate(order_key)

    assert json.dumps(first.resources) == json.dumps(second.resources)
    for resource in first.resources:
        assert validated(resource) == resource
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])
        assert resource["meta"]["source"] == "urn:fhirgate:kaiser:test-results"
        assert resource["subject"] == {"reference": "Patient/patient-1"}
