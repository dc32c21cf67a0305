"""Schema drift never raises for the clinical surfaces: any one field of a real-shaped payload (the sandbox's,
built from KAISER_API.md) replaced by any JSON value yields only valid resources plus warnings."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.sandbox.patient import generate_patient
from translators import (
    TranslationContext,
    TranslationResult,
    translate_allergy_list,
    translate_implants,
    translate_past_visits,
    translate_problem_list,
    translate_upcoming,
    translate_upcoming_orders,
    translate_visit_documents,
    validated,
)
from translators.ids import FHIR_ID_PATTERN

CTX = TranslationContext(patient_id="patient-1")
PATIENT = generate_patient(seed=2)
CSN, DOCS = next((csn, docs) for csn, docs in PATIENT.visit_documents.items() if docs.note_html and docs.avs_pdf)
VISIT_INPUT: dict[str, Any] = {
    "details": DOCS.details,
    "notes": DOCS.notes,
    "reports": {hno: {"reportContent": html} for hno, html in DOCS.note_html.items()},
    "avs": {"reportContent": DOCS.avs_html},
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "N/A", "/Date(-1)/", "/Date(99999999999999999)/", "2/30/2026", "Explanted", "<p>x</p>"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=6,
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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


def _drift(document: Any, translate: Callable[[Any], TranslationResult]) -> Callable[..., None]:
    @FUZZ
    @given(st.sampled_from(paths(document)), json_values)
    def check(path: tuple[Any, ...], value: Any) -> None:
        assert_sound(translate(replaced(document, path, value)))

    return check


test_problem_list_survives_drift = _drift(PATIENT.problem_list, lambda body: translate_problem_list(body, CTX))
test_allergy_list_survives_drift = _drift(PATIENT.allergy_list, lambda body: translate_allergy_list(body, CTX))
test_upcoming_visits_survive_drift = _drift(PATIENT.visits.upcoming, lambda body: translate_upcoming(body, CTX))
test_past_visits_survive_drift = _drift(list(PATIENT.visits.past[:4]), lambda body: translate_past_visits(body, CTX))
test_implants_survive_drift = _drift(PATIENT.implants, lambda body: translate_implants(body, CTX))
test_upcoming_orders_survive_drift = _drift(
    PATIENT.upcoming_orders.orders, lambda body: translate_upcoming_orders(body, CTX)
)


def _visit_documents(raw: Any) -> TranslationResult:
    if not isinstance(raw, dict):
        raw = {}
    reports = raw.get("reports") if isinstance(raw.get("reports"), dict) else {}
    return translate_visit_documents(
        CSN,
        raw.get("details") or {},
        raw.get("notes") or {},
        {key: value for key, value in reports.items() if isinstance(value, dict)},
        CTX,
        avs_report=raw.get("avs") if isinstance(raw.get("avs"), dict) else None,
        avs_pdf=DOCS.avs_pdf,
    )


test_visit_documents_survive_drift = _drift(VISIT_INPUT, _visit_documents)
