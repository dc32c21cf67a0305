"""Pure translators from Kaiser portal JSON to validated FHIR R4 JSON (no I/O, no clock).

One module per portal surface (``profile``, ``lab_results``, ``medications``), each taking raw JSON and a
:class:`TranslationContext` and returning a :class:`TranslationResult` of resources plus warnings.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from translators.access_logs import translate_access_log
    from translators.allergies import translate_allergy_list
    from translators.appointments import translate_upcoming
    from translators.care_team import primary_care_reference, translate_care_team
    from translators.encounters import translate_past_visits
    from translators.errors import InvalidResourceError, TranslatorError, UntranslatableError
    from translators.ids import identifier_system, stable_id
    from translators.implants import translate_implants
    from translators.lab_results import translate_lab_result
    from translators.medications import translate_rx_details
    from translators.messages import DownloadedDocument, translate_conversation
    from translators.organizations import kaiser_organization, kaiser_organization_id
    from translators.problems import translate_problem_list
    from translators.profile import patient_id_from_profile, translate_profile
    from translators.relationships import translate_relationships
    from translators.types import FhirJson, TranslationContext, TranslationResult, TranslationWarning
    from translators.upcoming_orders import translate_upcoming_orders
    from translators.validation import validated
    from translators.visit_notes import translate_visit_documents

# Each name is imported from its module on first use: the store imports `translators.errors` and
# `translators.fhir_json`, and would otherwise load every translator and fhir.resources with them.
_HOMES = {
    "translate_access_log": "translators.access_logs",
    "translate_allergy_list": "translators.allergies",
    "translate_upcoming": "translators.appointments",
    "primary_care_reference": "translators.care_team",
    "translate_care_team": "translators.care_team",
    "translate_past_visits": "translators.encounters",
    "InvalidResourceError": "translators.errors",
    "TranslatorError": "translators.errors",
    "UntranslatableError": "translators.errors",
    "identifier_system": "translators.ids",
    "stable_id": "translators.ids",
    "translate_implants": "translators.implants",
    "translate_lab_result": "translators.lab_results",
    "translate_rx_details": "translators.medications",
    "DownloadedDocument": "translators.messages",
    "translate_conversation": "translators.messages",
    "kaiser_organization": "translators.organizations",
    "kaiser_organization_id": "translators.organizations",
    "translate_problem_list": "translators.problems",
    "patient_id_from_profile": "translators.profile",
    "translate_profile": "translators.profile",
    "translate_relationships": "translators.relationships",
    "FhirJson": "translators.types",
    "TranslationContext": "translators.types",
    "TranslationResult": "translators.types",
    "TranslationWarning": "translators.types",
    "translate_upcoming_orders": "translators.upcoming_orders",
    "validated": "translators.validation",
    "translate_visit_documents": "translators.visit_notes",
}


def __getattr__(name: str) -> object:
    module = _HOMES.get(name)
    if module is None:
        raise AttributeError(f"module 'translators' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "DownloadedDocument",
    "FhirJson",
    "InvalidResourceError",
    "TranslationContext",
    "TranslationResult",
    "TranslationWarning",
    "TranslatorError",
    "UntranslatableError",
    "identifier_system",
    "kaiser_organization",
    "kaiser_organization_id",
    "patient_id_from_profile",
    "primary_care_reference",
    "stable_id",
    "translate_access_log",
    "translate_allergy_list",
    "translate_care_team",
    "translate_conversation",
    "translate_implants",
    "translate_lab_result",
    "translate_past_visits",
    "translate_problem_list",
    "translate_profile",
    "translate_relationships",
    "translate_rx_details",
    "translate_upcoming",
    "translate_upcoming_orders",
    "translate_visit_documents",
    "validated",
]
