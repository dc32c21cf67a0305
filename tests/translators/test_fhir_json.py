"""FHIR JSON text: decimals written as the portal wrote them, everything else exactly as ``json.dumps``."""

from __future__ import annotations

import copy
import json
import pickle
from decimal import Decimal

import pytest

from translators import validated
from translators.fhir_json import FhirDecimal, dumps, fhir_decimal, loads

STORED = (
    '{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Größe \\"A\\""},'
    '"valueQuantity":{"value":1.50,"unit":"mg"},"referenceRange":[{"low":{"value":0.0},"high":{"value":140}}],'
    '"note":[{"text":"line\\nbreak"}],"flag":true,"none":null,"big":1e3}'
)


def test_stored_text_round_trips_byte_for_byte() -> None:
    assert dumps(loads(STORED)) == STORED


def test_without_decimals_the_text_is_json_dumps_compact() -> None:
    value = {"b": [1, 2.5, "é\t\u2028", None, False], "a": {"x": -0.0, "y": 10**20}}

    assert dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert dumps(value, sort_keys=True) == json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


DECIMALS = [
    (Decimal("1.50"), "1.50"),
    (Decimal("0.0000001"), "0.0000001"),
    (Decimal("-2.0"), "-2.0"),
    (Decimal("1E+3"), "1E+3"),
    (2.5, "2.5"),
]


@pytest.mark.parametrize(("value", "text"), DECIMALS, ids=[text for _, text in DECIMALS])
def test_decimal_text_keeps_its_precision(value: Decimal | float, text: str) -> None:
    decimal = fhir_decimal(value)

    assert decimal.text == text and dumps([decimal]) == f"[{text}]" and decimal == float(value)


def test_fhir_decimal_behaves_as_a_float_and_survives_copy_and_pickle() -> None:
    value = FhirDecimal("1.50")

    assert value == 1.5 and hash(value) == hash(1.5) and value + 1 == 2.5
    assert json.dumps(value) == "1.5"  # plain json still works, just without the precision
    assert copy.deepcopy(value).text == "1.50" and pickle.loads(pickle.dumps(value)).text == "1.50"  # noqa: S301
    assert str(value) == "1.50"


@pytest.mark.parametrize("text", ["1.", ".5", "01", "NaN", "1e999", "+1"])
def test_fhir_decimal_rejects_what_fhir_does_not_allow(text: str) -> None:
    with pytest.raises(ValueError, match="decimal"):
        FhirDecimal(text)


def test_unserializable_values_raise() -> None:
    with pytest.raises(TypeError):
        dumps({"when": object()})
    with pytest.raises(ValueError, match="JSON"):
        dumps([float("nan")])


def test_validated_puts_the_decimals_back_that_the_model_turns_into_floats() -> None:
    resource = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "valueQuantity": {"value": Decimal("1.030")},
        "component": [{"code": {"text": "y"}, "valueQuantity": {"value": FhirDecimal("2.10")}}],
    }

    emitted = validated(resource)

    assert '"value":1.030' in dumps(emitted) and '"value":2.10' in dumps(emitted)
