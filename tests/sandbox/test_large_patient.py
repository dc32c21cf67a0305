"""The large synthetic patient: ten years, >= 2,000 lab orders with >= 20,000 components, 40 prescriptions."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest

from sandbox.patient import SyntheticPatient, generate_patient
from sandbox.portal.results_list import MAX_RESULTS_CEILING, build_result_list


@pytest.fixture(scope="module")
def large() -> SyntheticPatient:
    return generate_patient(3, size="large")


def _digest(patient: SyntheticPatient) -> str:
    documents = [patient.profile, patient.rx_details, [(o.list_entry, o.group, o.detail) for o in patient.lab_orders]]
    return hashlib.sha256(json.dumps(documents, sort_keys=True).encode()).hexdigest()


def test_large_patient_has_ten_years_of_results_and_forty_prescriptions(large: SyntheticPatient) -> None:
    assert len(large.lab_orders) >= 2000
    assert sum(len(o.detail["results"][0]["resultComponents"]) for o in large.lab_orders) >= 20000
    instants = sorted(o.list_entry["orderMetadata"]["prioritizedInstantISO"] for o in large.lab_orders)
    assert date.fromisoformat(instants[-1][:10]).year - date.fromisoformat(instants[0][:10]).year >= 9
    assert len({o.key for o in large.lab_orders}) == len(large.lab_orders)
    prescriptions = large.rx_details["prescriptions"]
    assert len(prescriptions["fillable"]) + len(prescriptions["nonFillable"]) == 40


def test_same_seed_same_large_patient_byte_for_byte(large: SyntheticPatient) -> None:
    assert _digest(generate_patient(3, size="large")) == _digest(large)
    assert _digest(generate_patient(4, size="large")) != _digest(large)


def test_small_patient_is_untouched_by_the_large_option() -> None:
    small = generate_patient(3)
    assert len(small.lab_orders) < 20
    assert small.username == generate_patient(3, size="large").username


def test_get_list_caps_at_200_newest_and_says_it_is_not_fully_loaded(large: SyntheticPatient) -> None:
    listing = build_result_list(large.lab_orders, group_type="ORDER", search="", max_results=500)
    assert len(listing["newResults"]) == MAX_RESULTS_CEILING
    assert listing["areResultsFullyLoaded"] is False
