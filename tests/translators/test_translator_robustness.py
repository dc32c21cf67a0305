"""Schema drift never raises: any single field of a real-shaped payload replaced by any JSON value."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translators import (
    TranslationContext,
    TranslationResult,
    translate_lab_result,
    translate_profile,
    translate_rx_details,
    validated,
)
from translators.ids import FHIR_ID_PATTERN

FIXTURES = Path(__file__).parent / "fixtures"
CTX = TranslationContext(patient_id="patient-1")

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["N/A", "", "<89", ">=60", "9999-12-31", "01/05/2026", "Final", "LAB", "<p>x</p>"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def assert_sound(result: TranslationResult) -> None:
    for resource in result.resources:
        assert validated(resource) == resource
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])


PROFILE = load("profile_user.json")
RX = load("rx_details.json")
LISTING, DETAILS = load("test_results_list.json"), load("test_results_details.json")
LAB_INPUT = {"entry": LISTING["newResults"]["ORD-invented-2^"], "detail": DETAILS["ORD-invented-2"]}
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.sampled_from(paths(PROFILE)), json_values)
def test_profile_survives_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    assert_sound(translate_profile(replaced(PROFILE, path, value), CTX))


@FUZZ
@given(st.sampled_from(paths(RX)), json_values)
def test_medications_survive_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    assert_sound(translate_rx_details(replaced(RX, path, value), CTX))


@FUZZ
@given(st.sampled_from(paths(LAB_INPUT)), json_values)
def test_lab_results_survive_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    drifted = replaced(LAB_INPUT, path, value)
    entry: Any = drifted.get("entry") if isinstance(drifted, dict) else None
    detail: Any = drifted.get("detail") if isinstance(drifted, dict) else None
    assert_sound(translate_lab_result(entry, detail, CTX, group=LISTING["newResultGroups"][0]))


@FUZZ
@given(json_values, json_values)
def test_arbitrary_json_never_raises(first: Any, second: Any) -> None:
    assert_sound(translate_profile(first, CTX))
    assert_sound(translate_rx_details(first, CTX))
    assert_sound(translate_lab_result(first, second, CTX, group=second))
