"""A lab component's ``componentInfo`` -> ``Observation.code``: Kaiser's two names, neither one lost.

The portal exposes no LOINC, only a lab-internal ``name`` ("ALT", "BLOOD, URINE") and a patient-facing
``commonName`` ("Alanine aminotransferase"). ``text`` is what a person reads: the common name (else the
internal name). The internal name is Kaiser's local code for the component, so it is kept as a ``coding``
in a fhirgate code system per region (``urn:fhirgate:kaiser:<region>:lab-component-name``): a coding needs a
system to mean anything, and a local system is how FHIR carries a local code. Extensible US Core bindings
allow it beside ``text``; no standard code is invented.
"""

from __future__ import annotations

from typing import Any

from translators.ids import identifier_system
from translators.portal import PortalNode
from translators.systems import data_absent_unknown

COMPONENT_NAME_KIND = "lab-component-name"


def component_name_system(region: str) -> str:
    """The code system of Kaiser's internal lab component names in ``region``."""
    return identifier_system(region, COMPONENT_NAME_KIND)


def component_code(info: PortalNode, region: str) -> dict[str, Any]:
    """``{coding: [Kaiser's name], text: common name}``; data-absent "unknown" when the portal names neither."""
    common_name, name = info.get("commonName").text(), info.get("name").text()
    # FHIR ``code`` allows single inner spaces only; the portal's spacing carries no meaning.
    code = " ".join(name.split()) if name else None
    text = common_name or name
    if text is None:
        return data_absent_unknown()
    concept: dict[str, Any] = {"text": text}
    if code:
        concept["coding"] = [{"system": component_name_system(region), "code": code, "display": name}]
    return concept
