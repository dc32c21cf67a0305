"""``Resource.meta`` as the translators set it: the portal surface as ``source``, a profile when earned.

``lastUpdated`` and ``versionId`` are deliberately absent: the store sets them.
"""

from __future__ import annotations

from typing import Any


def source_uri(surface: str) -> str:
    """``urn:fhirgate:kaiser:<surface>``, the ``meta.source`` of everything translated from ``surface``."""
    return f"urn:fhirgate:kaiser:{surface}"


def meta(surface: str, profile: str | None = None) -> dict[str, Any]:
    """The ``meta`` element for a resource from ``surface``, claiming ``profile`` when given."""
    result: dict[str, Any] = {"source": source_uri(surface)}
    if profile is not None:
        result["profile"] = [profile]
    return result


def patient_reference(patient_id: str) -> dict[str, str]:
    """A literal reference to the Patient every clinical resource is about."""
    return {"reference": f"Patient/{patient_id}"}
