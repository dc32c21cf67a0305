"""The Provenance of one sync batch: which resources fhirgate assembled, from Kaiser, at what time.

One per surface per sync run that brought fresh data. ``recorded`` is an argument (translators never
read the clock); the id derives from surface and time, so each batch keeps its own Provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from translators.ids import stable_id
from translators.organizations import KAISER_PERMANENTE, kaiser_organization_id
from translators.resource_meta import meta
from translators.types import FhirJson
from translators.validation import validated

PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
SOFTWARE = "fhirgate"


def sync_provenance(surface: str, targets: Sequence[str], recorded: datetime) -> FhirJson:
    """A Provenance over ``targets`` (``Type/id`` references); ``recorded`` must be timezone-aware."""
    if recorded.tzinfo is None:
        raise ValueError("recorded must be timezone-aware")
    if not targets:
        raise ValueError("a Provenance needs at least one target")
    when = recorded.isoformat()
    return validated(
        {
            "resourceType": "Provenance",
            "id": stable_id(surface, f"provenance:{when}"),
            "meta": meta(surface),
            "target": [{"reference": reference} for reference in targets],
            "recorded": when,
            "agent": [
                {
                    "type": _participant("assembler", "Assembler"),
                    "who": {"display": SOFTWARE},
                },
                {
                    "type": _participant("author", "Author"),
                    "who": {"reference": f"Organization/{kaiser_organization_id()}", "display": KAISER_PERMANENTE},
                },
            ],
        }
    )


def _participant(code: str, display: str) -> dict[str, object]:
    return {"coding": [{"system": PARTICIPANT_TYPE, "code": code, "display": display}]}
