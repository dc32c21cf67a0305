"""Kaiser lab components -> LOINC, from the curated map in ``data/lab_loinc.toml`` (applied only on an exact key).

Kaiser exposes no LOINC. A row of the map names every portal key it needs (order name, component name,
unit, specimen) and the LOINC evidence that justifies it; a component that does not meet one row exactly
gets no LOINC coding. The added coding is marked ``userSelected: false`` (the portal did not choose it) and
the same rows are published as ``ConceptMap/fhirgate-kaiser-lab-loinc``, so every added code has a stated
origin a client can read.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from translators.systems import LOINC

CONCEPT_MAP_ID = "fhirgate-kaiser-lab-loinc"
CONCEPT_MAP_URL = f"urn:fhirgate:conceptmap:{CONCEPT_MAP_ID}"
PANEL_PROPERTY = "urn:fhirgate:kaiser:lab-order-name"
UNIT_PROPERTY = "urn:fhirgate:kaiser:lab-component-units"
SPECIMEN_PROPERTY = "urn:fhirgate:kaiser:lab-specimen"


@dataclass(frozen=True, slots=True)
class LoincRow:
    """One reviewed mapping: the portal keys it requires and the LOINC term with its evidence."""

    loinc: str
    long_name: str
    loinc_component: str
    property: str
    system: str
    scale: str
    analyte_group: str
    component: str
    unit: str
    specimen: str
    panels: tuple[str, ...]


def _key(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


@cache
def lab_loinc_rows() -> tuple[LoincRow, ...]:
    """Every row of the map, in file order."""
    text = resources.files("translators").joinpath("data/lab_loinc.toml").read_text(encoding="utf-8")
    rows = tomllib.loads(text)["row"]
    return tuple(LoincRow(**{**row, "panels": tuple(row["panels"])}) for row in rows)


@cache
def _index() -> dict[tuple[str, str, str, str], LoincRow]:
    index: dict[tuple[str, str, str, str], LoincRow] = {}
    for row in lab_loinc_rows():
        for panel in row.panels:
            key = (_key(panel), _key(row.component), _key(row.unit), _key(row.specimen))
            if key in index:
                raise ValueError(f"lab LOINC map: two rows for {key}")
            index[key] = row
    return index


def find_loinc(panel: str | None, component: str | None, unit: str | None, specimen: str | None) -> LoincRow | None:
    """The row whose every portal key equals what the portal sent (case and spacing aside); else None."""
    if not panel or not component:
        return None
    return _index().get((_key(panel), _key(component), _key(unit), _key(specimen)))


def loinc_coding(row: LoincRow) -> dict[str, Any]:
    """The coding added beside the portal's own: LOINC, not chosen by the source."""
    return {"system": LOINC, "code": row.loinc, "display": row.long_name, "userSelected": False}


def lab_loinc_concept_map() -> dict[str, Any]:
    """``ConceptMap/fhirgate-kaiser-lab-loinc``: the map as FHIR, one element per (component, order name)."""
    elements: list[dict[str, Any]] = []
    for row in lab_loinc_rows():
        depends = [{"property": UNIT_PROPERTY, "value": row.unit}] if row.unit else []
        depends.append({"property": SPECIMEN_PROPERTY, "value": row.specimen})
        for panel in row.panels:
            target = {
                "code": row.loinc,
                "display": row.long_name,
                "equivalence": "equivalent",
                "comment": f"LOINC axes: {row.loinc_component} | {row.property} | {row.system} | {row.scale}",
                "dependsOn": [{"property": PANEL_PROPERTY, "value": panel}, *depends],
            }
            elements.append({"code": row.component, "target": [target]})
    return {
        "resourceType": "ConceptMap",
        "id": CONCEPT_MAP_ID,
        "url": CONCEPT_MAP_URL,
        "name": "FhirgateKaiserLabLoinc",
        "title": "Kaiser lab component names to LOINC (fhirgate's curated local map)",
        "status": "active",
        "experimental": False,
        "publisher": "fhirgate",
        "description": (
            "Applied by fhirgate's lab translator only when the order name, component name, units and specimen "
            "shown by the portal all equal a row's (case and spacing aside). Source codes are Kaiser's lab "
            "component names (urn:fhirgate:kaiser:<region>:lab-component-name); added codings carry "
            "userSelected=false. Components without a row get no LOINC coding."
        ),
        "targetUri": "http://loinc.org/vs",
        "group": [{"target": LOINC, "element": elements}],
    }
