"""Pure translators from Kaiser portal JSON to validated FHIR R4 JSON (no I/O, no clock).

One module per portal surface (``profile``, ``lab_results``, ``medications``), each taking raw JSON and a
:class:`TranslationContext` and returning a :class:`TranslationResult` of resources plus warnings.
"""

from translators.errors import InvalidResourceError, TranslatorError, UntranslatableError
from translators.ids import identifier_system, stable_id
from translators.lab_results import translate_lab_result
from translators.medications import translate_rx_details
from translators.organizations import kaiser_organization, kaiser_organization_id
from translators.profile import patient_id_from_profile, translate_profile
from translators.types import FhirJson, TranslationContext, TranslationResult, TranslationWarning
from translators.validation import validated

__all__ = [
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
    "stable_id",
    "translate_lab_result",
    "translate_profile",
    "translate_rx_details",
    "validated",
]
