"""`Patient/$everything` rebuilt from per-type searches, for servers that declare it and fail it.

eClinicalWorks lists the operation in its CapabilityStatement but does not answer it in
practice. The fallback asks each readable type of the patient compartment in turn (the
`_type` list when given; `_since` becomes `_lastUpdated=ge`), skips the types the token may
not read, and returns one searchset Bundle that says how it was made.
"""

from __future__ import annotations

from collections.abc import Sequence

from fhir_client.scopes import READABLE_TYPES

__all__ = ["EVERYTHING_TYPES", "FALLBACK_NOTE", "fallback_searches"]

#: Types a patient app reads that sit outside the patient compartment (referenced, not searched by patient).
_SHARED_TYPES = frozenset({"Location", "Medication", "Organization", "Practitioner", "PractitionerRole", "Provenance"})
#: The compartment types a patient app reads, Patient first (US Core 6 patient-facing).
EVERYTHING_TYPES = tuple(t for t in READABLE_TYPES if t not in _SHARED_TYPES)
FALLBACK_NOTE = "this practice does not answer Patient/$everything: fhirgate searched {count} resource types one by one"


def fallback_searches(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The per-type searches standing in for `$everything` with `pairs` (`_type`, `_since`, `_count`)."""
    types: list[str] = []
    common: list[tuple[str, str]] = []
    for name, value in pairs:
        if name == "_type":
            types.extend(t.strip() for t in value.split(",") if t.strip())
        elif name == "_since":
            common.append(("_lastUpdated", f"ge{value}"))
    return [(resource_type, list(common)) for resource_type in (types or list(EVERYTHING_TYPES))]
