"""Schema drift never raises: any single field of a real-shaped payload replaced by any JSON value."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.translators.drift import assert_sound, fuzz, load, paths, replaced
from tests.translators.drift import json_values as drift_values
from translators import (
    TranslationContext,
    translate_lab_result,
    translate_profile,
    translate_rx_details,
)

CTX = TranslationContext(patient_id="patient-1")
json_values = drift_values(["N/A", "", "<89", ">=60", "9999-12-31", "01/05/2026", "Final", "LAB", "<p>x</p>"])


PROFILE = load("profile_user.json")
RX = load("rx_details.json")
LISTING, DETAILS = load("lab_results_list.json"), load("lab_results_details.json")
LAB_INPUT = {"entry": LISTING["newResults"]["ORD-invented-2^"], "detail": DETAILS["ORD-invented-2"]}
FUZZ = fuzz(100)


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
