"""Conformance resources the facade publishes itself (not from the store): the lab LOINC ``ConceptMap``.

The map is the translators' own data (``translators/data/lab_loinc.toml``), so the codings in the record
and the ConceptMap a client reads can never disagree.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.facade.context import FacadeContext
from gateway.facade.errors import ResourceNotFoundError
from gateway.facade.negotiation import require_fhir_json
from gateway.facade.responses import FhirJSONResponse
from translators.lab_loinc import CONCEPT_MAP_ID, lab_loinc_concept_map

CONCEPT_MAPS: dict[str, dict[str, Any]] = {CONCEPT_MAP_ID: lab_loinc_concept_map()}
"""Every ConceptMap served, by id."""


def read_concept_map(request: Request, ctx: FacadeContext) -> Response:
    """``GET [base]/ConceptMap/{id}``."""
    require_fhir_json(request)
    found = CONCEPT_MAPS.get(request.path_params["id"])
    if found is None:
        raise ResourceNotFoundError(f"ConceptMap/{request.path_params['id']} is not known")
    return FhirJSONResponse(found)


def capability_entry() -> dict[str, Any]:
    """The CapabilityStatement ``rest.resource`` entry for ConceptMap (read only)."""
    return {
        "type": "ConceptMap",
        "interaction": [{"code": "read"}],
        "documentation": "Local concept maps fhirgate applies: " + ", ".join(f"ConceptMap/{i}" for i in CONCEPT_MAPS),
    }
