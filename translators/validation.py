"""The gate every emitted resource passes: the fhir.resources R4B model plus the checks it does not make.

fhir.resources checks structure, cardinality, datatypes and regexes but neither the length of ``id``
nor required code bindings; :data:`REQUIRED_CODES` covers the required bindings of the coded elements the
translators set. (R4B equals R4 for every resource type the translators emit.) The model dumps decimals as
floats (``1.50`` -> ``1.5``); each decimal the translator wrote is put back as a
:class:`~translators.fhir_json.FhirDecimal`, so its precision survives.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from translators.errors import InvalidResourceError
from translators.fhir_json import FhirDecimal, fhir_decimal
from translators.ids import FHIR_ID_PATTERN
from translators.types import FhirJson

REQUIRED_CODES: dict[tuple[str, str], frozenset[str]] = {
    ("Observation", "status"): frozenset(
        {"registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"}
    ),
    ("DiagnosticReport", "status"): frozenset(
        {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended", "cancelled"}
        | {"entered-in-error", "unknown"}
    ),
    ("MedicationRequest", "status"): frozenset(
        {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"}
    ),
    ("MedicationRequest", "intent"): frozenset(
        {"proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"}
    ),
    ("MedicationDispense", "status"): frozenset(
        {"preparation", "in-progress", "cancelled", "on-hold", "completed", "entered-in-error", "stopped"}
        | {"declined", "unknown"}
    ),
    ("Coverage", "status"): frozenset({"active", "cancelled", "draft", "entered-in-error"}),
    ("Patient", "gender"): frozenset({"male", "female", "other", "unknown"}),
}


def validated(resource: FhirJson) -> FhirJson:
    """``resource`` parsed by its R4B model and dumped back as canonical JSON (no ``None``s, model order).

    Raises :class:`~translators.errors.InvalidResourceError` (a ``ValueError``) when it is not valid R4.
    """
    from fhir.resources.R4B import get_fhir_model_class  # loaded on first use: `fhirgate mcp` starts without it

    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str):
        raise InvalidResourceError("resource has no resourceType")
    try:
        model_class = get_fhir_model_class(resource_type)
    except (KeyError, ValueError) as error:
        raise InvalidResourceError(f"unknown resourceType {resource_type!r}") from error
    _check_id(resource)
    _check_required_codes(resource_type, resource)
    try:
        model = model_class.model_validate(resource)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        raise InvalidResourceError(f"invalid {resource_type}: {error}") from error
    dumped: dict[str, Any] = with_decimals(model.model_dump(mode="json", exclude_none=True), resource)
    return dumped


def with_decimals(dumped: Any, original: Any) -> Any:
    """``dumped`` (a model dump of ``original``) with every decimal of ``original`` back at its precision.

    A number is replaced only where ``original`` holds a Decimal of the same value at the same place.
    """
    if isinstance(original, Decimal | FhirDecimal):
        if isinstance(dumped, float):  # an integral decimal ("5") stays the model's int
            exact = fhir_decimal(original)
            return exact if exact == dumped else dumped
        return dumped
    if isinstance(dumped, dict) and isinstance(original, dict):
        for key, value in dumped.items():
            if key in original and isinstance(original[key], dict | list | Decimal | FhirDecimal):
                dumped[key] = with_decimals(value, original[key])
    elif isinstance(dumped, list) and isinstance(original, list) and len(dumped) == len(original):
        for index, value in enumerate(dumped):
            if isinstance(original[index], dict | list | Decimal | FhirDecimal):
                dumped[index] = with_decimals(value, original[index])
    return dumped


def _check_id(resource: FhirJson) -> None:
    resource_id = resource.get("id")
    if resource_id is not None and not (isinstance(resource_id, str) and FHIR_ID_PATTERN.fullmatch(resource_id)):
        raise InvalidResourceError(f"id {resource_id!r} is not a FHIR id ([A-Za-z0-9-.]{{1,64}})")


def _check_required_codes(resource_type: str, resource: FhirJson) -> None:
    for (checked_type, element), allowed in REQUIRED_CODES.items():
        if checked_type != resource_type or element not in resource:
            continue
        if resource[element] not in allowed:
            raise InvalidResourceError(f"{resource_type}.{element} {resource[element]!r} is not in its value set")
