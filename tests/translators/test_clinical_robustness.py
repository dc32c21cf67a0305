"""Schema drift never raises for the clinical surfaces: any one field of a real-shaped payload (the sandbox's,
built from KAISER_API.md) replaced by any JSON value yields only valid resources plus warnings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sandbox.patient import generate_patient
from tests.translators.drift import assert_sound, fuzz, paths, replaced
from tests.translators.drift import json_values as drift_values
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
)

CTX = TranslationContext(patient_id="patient-1")
PATIENT = generate_patient(seed=2)
CSN, DOCS = next((csn, docs) for csn, docs in PATIENT.visit_documents.items() if docs.note_html and docs.avs_pdf)
VISIT_INPUT: dict[str, Any] = {
    "details": DOCS.details,
    "notes": DOCS.notes,
    "reports": {hno: {"reportContent": html} for hno, html in DOCS.note_html.items()},
    "avs": {"reportContent": DOCS.avs_html},
}

json_values = drift_values(
    ["", "N/A", "/Date(-1)/", "/Date(99999999999999999)/", "2/30/2026", "Explanted", "<p>x</p>"], integer_limit=10**15
)
FUZZ = fuzz(60)


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
