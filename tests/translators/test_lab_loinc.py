"""The curated lab LOINC map: each row's unit agrees with its LOINC property, it applies only on an exact
key, the catalog's analytes are covered, and the ConceptMap served from it is valid FHIR."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.conceptmap import ConceptMap

from conformance.surfaces import translate_patient
from sandbox.patient import generate_patient
from sandbox.patient.lab_catalog import PANELS
from tests.benchmarks.lab_loinc_coverage import lab_coverage
from translators.lab_loinc import LoincRow, find_loinc, lab_loinc_concept_map, lab_loinc_rows, loinc_coding
from translators.units import UCUM_CODES

# LOINC property -> the UCUM units a result of that property can carry ("" = dimensionless, no unit shown).
UNITS_OF_PROPERTY: dict[str, frozenset[str]] = {
    "SCnc": frozenset({"mmol/L", "umol/L", "meq/L"}),  # substance (moles) per volume
    "MCnc": frozenset({"mg/dL", "g/dL", "g/L", "mg/L", "ug/dL", "ng/mL", "pg/mL"}),  # mass per volume
    "CCnc": frozenset({"U/L", "[IU]/L"}),  # catalytic activity per volume
    "ACnc": frozenset({"m[IU]/L", "u[IU]/mL", "[IU]/L"}),  # arbitrary units per volume
    "NCnc": frozenset({"10*3/uL", "10*6/uL", "/uL"}),  # count per volume
    "MFr": frozenset({"%"}),  # mass fraction
    "VFr": frozenset({"%"}),  # volume fraction
    "EntVol": frozenset({"fL"}),  # volume of one entity
    "Type": frozenset({""}),  # nominal (color)
    "Rden": frozenset({""}),  # relative density (specific gravity)
    "LsCnc": frozenset({""}),  # log of substance concentration (pH)
}
UNMAPPED = {"EGFR", "BLOOD, URINE"}
"""Catalog analytes with no row, on purpose: eGFR's equation is not shown (LOINC codes each one); urine
blood has no method-less LOINC term for the portal's Negative/unit-less report that we could verify."""


@pytest.mark.parametrize("row", lab_loinc_rows(), ids=lambda row: f"{row.component}->{row.loinc}")
def test_row_unit_agrees_with_the_loinc_property(row: LoincRow) -> None:
    ucum = UCUM_CODES[row.unit] if row.unit else ""
    assert ucum in UNITS_OF_PROPERTY[row.property], f"{row.loinc} is {row.property}; {row.unit!r} cannot be"
    assert row.scale in ("Qn", "Nom", "Ord") and row.panels and row.specimen
    assert row.loinc.rsplit("-", 1)[1].isdigit() and row.long_name


def test_a_mass_concentration_code_never_maps_a_moles_result() -> None:
    mass_units = {row.unit for row in lab_loinc_rows() if row.property == "MCnc"}
    moles_units = {row.unit for row in lab_loinc_rows() if row.property == "SCnc"}
    assert "mmol/L" not in mass_units and "mg/dL" not in moles_units
    assert find_loinc("BASIC METABOLIC PANEL", "GLUCOSE", "mmol/L", "Blood") is None


def test_every_catalog_lab_analyte_is_mapped_but_the_ones_named_unmapped() -> None:
    for panel in PANELS.values():
        if panel.result_type != "LAB":
            continue
        for analyte in panel.analytes:
            row = find_loinc(panel.name, analyte.name, analyte.units, panel.specimen)
            assert (row is None) == (analyte.name in UNMAPPED), f"{panel.name} / {analyte.name}"


@pytest.mark.parametrize(
    ("panel", "component", "unit", "specimen"),
    [
        ("LIPID PANEL", "GLUCOSE", "mg/dL", "Blood"),  # a component outside the panels its row names
        ("BASIC METABOLIC PANEL", "GLUCOSE", "mg/dL", "Urine"),  # another specimen
        ("BASIC METABOLIC PANEL", "GLUCOSE", "", "Blood"),  # no unit shown
        ("BASIC METABOLIC PANEL", "GLUCOSE", "mg/dL", None),  # no specimen shown
        (None, "GLUCOSE", "mg/dL", "Blood"),  # no order name
        ("BASIC METABOLIC PANEL", "EGFR", "mL/min/1.73m2", "Blood"),
    ],
)
def test_no_loinc_without_an_exact_key(panel: str | None, component: str, unit: str, specimen: str | None) -> None:
    assert find_loinc(panel, component, unit, specimen) is None


def test_keys_ignore_case_and_spacing_only() -> None:
    row = find_loinc("basic  metabolic panel", " glucose ", "MG/DL", "blood")
    assert row is not None and row.loinc == "2345-7"
    assert loinc_coding(row) == {
        "system": "http://loinc.org",
        "code": "2345-7",
        "display": "Glucose [Mass/volume] in Serum or Plasma",
        "userSelected": False,
    }


def test_concept_map_is_valid_fhir_with_one_element_per_panel_and_component() -> None:
    concept_map = lab_loinc_concept_map()
    ConceptMap.model_validate(concept_map)
    elements = concept_map["group"][0]["element"]
    assert len(elements) == sum(len(row.panels) for row in lab_loinc_rows())
    sodium = [e for e in elements if e["code"] == "SODIUM"]
    assert {d["value"] for e in sodium for d in e["target"][0]["dependsOn"]} >= {"BASIC METABOLIC PANEL", "mmol/L"}


def test_small_patient_labs_claim_us_core_lab_only_with_a_loinc_coding() -> None:
    resources = translate_patient(generate_patient(1, "small"), portal=False).resources()
    labs = [r for r in resources if r["resourceType"] == "Observation" and "laboratory" in str(r.get("category"))]
    for observation in labs:
        has_loinc = any(c["system"] == "http://loinc.org" for c in observation["code"].get("coding", []))
        claims = "us-core-observation-lab" in str(observation["meta"].get("profile"))
        assert has_loinc == claims, observation["code"]
        assert observation["code"]["coding"][0]["system"].endswith(":lab-component-name")  # the portal's stays first
    coverage = lab_coverage(resources)
    assert coverage["CBC WITH PLATELETS"].mapped == coverage["CBC WITH PLATELETS"].total > 0
    assert set(coverage["BASIC METABOLIC PANEL"].unmapped) == {"EGFR"}
