"""Test results keep every fact the portal shows: both component names, the specimen, decimal precision."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from translators import TranslationContext, translate_lab_result
from translators.fhir_json import FhirDecimal, dumps

FIXTURES = Path(__file__).parent / "fixtures"
CTX = TranslationContext(patient_id="patient-1")
NAME_SYSTEM = "urn:fhirgate:kaiser:nca:lab-component-name"
Raw = dict[str, Any]


def order(order_key: str) -> tuple[Raw, Raw, Raw]:
    listing = json.loads((FIXTURES / "lab_results_list.json").read_text())
    details = json.loads((FIXTURES / "lab_results_details.json").read_text())
    group = next(group for group in listing["newResultGroups"] if order_key in group["resultList"])
    return listing["newResults"][f"{order_key}^"], details[order_key], group


def component(info: Raw, value: str = "5.4", low: str = "3.5", high: str = "5.0") -> Raw:
    return {
        "componentInfo": {"componentID": "C-1", "units": "mmol/L", **info},
        "componentResultInfo": {
            "value": value,
            "referenceRange": {"displayLow": low, "displayHigh": high, "formattedReferenceRange": f"{low}-{high}"},
            "abnormalFlagCategoryValue": "Normal",
        },
    }


def translate_component(item: Raw, specimen: object = "Blood") -> tuple[Raw, Raw]:
    entry, detail, group = order("ORD-invented-1")
    detail = copy.deepcopy(detail)
    detail["results"][0]["resultComponents"] = [item]
    detail["results"][0]["orderMetadata"]["specimensDisplay"] = specimen
    result = translate_lab_result(entry, detail, CTX, group=group)
    report, observation = result.resources
    return report, observation


CODES: list[tuple[str, Raw, Raw]] = [
    (
        "lab name differs from the common name: both kept",
        {"name": "ALT", "commonName": "Alanine aminotransferase"},
        {"coding": [{"system": NAME_SYSTEM, "code": "ALT", "display": "ALT"}], "text": "Alanine aminotransferase"},
    ),
    (
        "no common name: the lab name is also the text",
        {"name": "BLOOD, URINE"},
        {
            "coding": [{"system": NAME_SYSTEM, "code": "BLOOD, URINE", "display": "BLOOD, URINE"}],
            "text": "BLOOD, URINE",
        },
    ),
    (
        "doubled inner spaces are not a FHIR code: collapsed in the code, kept in the display",
        {"name": "HGB  A1C", "commonName": "Hemoglobin A1c"},
        {"coding": [{"system": NAME_SYSTEM, "code": "HGB A1C", "display": "HGB  A1C"}], "text": "Hemoglobin A1c"},
    ),
    (
        "only a common name: text only, no code invented",
        {"commonName": "Sodium"},
        {"text": "Sodium"},
    ),
]


@pytest.mark.parametrize(("quirk", "info", "expected"), CODES, ids=[row[0] for row in CODES])
def test_component_code_keeps_both_names(quirk: str, info: Raw, expected: Raw) -> None:
    _, observation = translate_component(component(info))

    assert observation["code"] == expected


SPECIMENS: list[tuple[str, object, Raw | None]] = [
    ("specimen display -> display-only Reference", "Urine", {"display": "Urine"}),
    ("blank specimen -> no specimen", "", None),
    ("missing specimen -> no specimen", None, None),
]


@pytest.mark.parametrize(("quirk", "specimen", "expected"), SPECIMENS, ids=[row[0] for row in SPECIMENS])
def test_specimen_display_is_kept_on_report_and_observations(quirk: str, specimen: object, expected: Raw) -> None:
    report, observation = translate_component(component({"name": "K", "commonName": "Potassium"}), specimen)

    assert observation.get("specimen") == expected
    assert report.get("specimen") == ([expected] if expected else None)


def test_decimals_keep_their_trailing_zeros_in_the_json_text() -> None:
    _, observation = translate_component(component({"name": "K"}, value="1.50", low="0.50", high="2.00"))

    quantity = observation["valueQuantity"]
    assert isinstance(quantity["value"], FhirDecimal) and quantity["value"] == 1.5
    text = dumps(observation)
    assert '"value":1.50' in text and '"value":0.50' in text and '"value":2.00' in text
    assert dumps(translate_component(component({"name": "K"}, value="1.50"))[1]) == dumps(
        translate_component(component({"name": "K"}, value="1.50"))[1]
    )


def test_integral_values_stay_json_integers() -> None:
    _, observation = translate_component(component({"name": "K"}, value="140", low="136", high="145"))

    assert observation["valueQuantity"]["value"] == 140 and type(observation["valueQuantity"]["value"]) is int
    assert '"value":140,' in dumps(observation)
