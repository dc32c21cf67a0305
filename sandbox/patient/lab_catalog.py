"""What the synthetic patient was tested for: panels, analytes, reference ranges and narratives.

Pure data. Each analyte says how its value is drawn (``target``) and which documented quirk it carries
(a fixed non-numeric value, a one-sided or empty formatted range, a forced flag, an HTML comment).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["ENCOUNTERS", "PANELS", "PROVIDERS", "AnalyteSpec", "EncounterSpec", "PanelSpec"]

Target = Literal["normal", "high", "low"]


@dataclass(frozen=True)
class AnalyteSpec:
    name: str
    common_name: str
    units: str
    low: float | None
    high: float | None
    decimals: int = 0
    target: Target = "normal"
    fixed_value: str | None = None
    """A non-numeric value (``">90"``, ``"Negative"``): sent without ``numericValue``."""
    formatted_range: str | None = None
    """Overrides the ``low-high`` rendering; ``""`` reproduces the empty-string quirk."""
    flag: str | None = None
    """Overrides the computed ``abnormalFlagCategoryValue``."""
    comment_html: str = ""
    sparse_range: bool = False
    """Send ``referenceRange`` with only ``formattedReferenceRange`` (as in the §2.6.2 example)."""


@dataclass(frozen=True)
class PanelSpec:
    name: str
    result_type: Literal["LAB", "IMAGING", "OTHER"]
    specimen: str
    analytes: tuple[AnalyteSpec, ...] = ()
    provider_comment_html: str = ""
    result_status: str = "Final"
    narrative_html: str = ""
    impression_html: str = ""
    note_html: str = ""
    note_text: str = ""
    pdf: bool = True
    result_delay_hours: tuple[int, int] = (3, 30)


@dataclass(frozen=True)
class EncounterSpec:
    """One collection visit: when (year, month; the day is drawn) and which panels."""

    year: int
    month: int
    panels: tuple[str, ...]


def _na(name: str, common: str, units: str, low: float, high: float, decimals: int = 0) -> AnalyteSpec:
    return AnalyteSpec(name, common, units, low, high, decimals)


_SODIUM = _na("SODIUM", "Sodium", "mmol/L", 136, 145)
_CHLORIDE = _na("CHLORIDE", "Chloride", "mmol/L", 98, 107)
_CO2 = _na("CO2", "Carbon dioxide", "mmol/L", 22, 29)
_BUN = _na("BUN", "Urea nitrogen", "mg/dL", 7, 20)
_CREATININE = _na("CREATININE", "Creatinine", "mg/dL", 0.6, 1.1, 2)
_GLUCOSE = _na("GLUCOSE", "Glucose", "mg/dL", 70, 99)
_CALCIUM = _na("CALCIUM", "Calcium", "mg/dL", 8.5, 10.2, 1)
_POTASSIUM = _na("POTASSIUM", "Potassium", "mmol/L", 3.5, 5.0, 1)


def _negative(name: str, common: str, units: str, flag: str) -> AnalyteSpec:
    return AnalyteSpec(name, common, units, None, None, fixed_value="Negative", formatted_range="Negative", flag=flag)


PANELS: dict[str, PanelSpec] = {
    "BMP": PanelSpec(
        "BASIC METABOLIC PANEL",
        "LAB",
        "Blood",
        (
            _SODIUM,
            AnalyteSpec("POTASSIUM", "Potassium", "mmol/L", 3.5, 5.0, 1, target="high"),
            _CHLORIDE,
            _CO2,
            _BUN,
            _CREATININE,
            _GLUCOSE,
            _CALCIUM,
            AnalyteSpec(
                "EGFR",
                "eGFR",
                "mL/min/1.73m2",
                60,
                None,
                fixed_value=">90",
                formatted_range=">=60",
                sparse_range=True,
            ),
        ),
        provider_comment_html="<p>Potassium is <b>slightly high</b>; please recheck in 2 weeks.</p>",
    ),
    "CMP": PanelSpec(
        "COMPREHENSIVE METABOLIC PANEL",
        "LAB",
        "Blood",
        (
            _SODIUM,
            _POTASSIUM,
            _CHLORIDE,
            _CO2,
            _BUN,
            _CREATININE,
            _GLUCOSE,
            _CALCIUM,
            _na("PROTEIN, TOTAL", "Total protein", "g/dL", 6.0, 8.3, 1),
            _na("ALBUMIN", "Albumin", "g/dL", 3.5, 5.0, 1),
            _na("ALT", "Alanine aminotransferase", "U/L", 7, 56),
            AnalyteSpec("AST", "Aspartate aminotransferase", "U/L", 10, 40, flag="Unknown"),
        ),
    ),
    "CBC": PanelSpec(
        "CBC WITH PLATELETS",
        "LAB",
        "Blood",
        (
            _na("WBC", "White blood cell count", "K/uL", 4.0, 11.0, 1),
            _na("RBC", "Red blood cell count", "M/uL", 4.2, 5.4, 2),
            AnalyteSpec("HEMOGLOBIN", "Hemoglobin", "g/dL", 12.0, 15.5, 1, target="low"),
            _na("HEMATOCRIT", "Hematocrit", "%", 36.0, 46.0, 1),
            _na("MCV", "Mean corpuscular volume", "fL", 80, 100),
            _na("PLATELETS", "Platelet count", "K/uL", 150, 400),
        ),
    ),
    "LIPID": PanelSpec(
        "LIPID PANEL",
        "LAB",
        "Blood",
        (
            AnalyteSpec("CHOLESTEROL", "Cholesterol, total", "mg/dL", None, 200, formatted_range="<200"),
            AnalyteSpec("TRIGLYCERIDES", "Triglycerides", "mg/dL", None, 150, formatted_range="<150"),
            AnalyteSpec("HDL", "HDL cholesterol", "mg/dL", 40, None, formatted_range=">=40", flag=""),
            AnalyteSpec("LDL CALCULATED", "LDL cholesterol (calculated)", "mg/dL", None, 100, formatted_range="<100"),
        ),
    ),
    "A1C": PanelSpec(
        "HEMOGLOBIN A1C",
        "LAB",
        "Blood",
        (
            AnalyteSpec(
                "HEMOGLOBIN A1C",
                "Hemoglobin A1c",
                "%",
                4.0,
                5.6,
                1,
                comment_html=(
                    "<p>Interpretation:<br/>&lt;5.7% <b>Normal</b><br/>5.7-6.4% Prediabetes<br/>&gt;=6.5% Diabetes</p>"
                ),
            ),
        ),
    ),
    "TSH": PanelSpec(
        "TSH",
        "LAB",
        "Blood",
        (AnalyteSpec("TSH", "Thyroid stimulating hormone", "mIU/L", 0.45, 4.5, 2, formatted_range=""),),
        # Inferred: only "Final" was ever captured (KAISER_API.md §4.1).
        result_status="Preliminary",
    ),
    "UA": PanelSpec(
        "URINALYSIS WITH MICROSCOPIC",
        "LAB",
        "Urine",
        (
            AnalyteSpec("COLOR", "Color", "", None, None, fixed_value="Yellow", formatted_range="Yellow", flag=""),
            _na("SPECIFIC GRAVITY", "Specific gravity", "", 1.005, 1.03, 3),
            _na("PH, URINE", "pH", "", 5.0, 8.0, 1),
            _negative("PROTEIN, URINE", "Protein", "mg/dL", "Normal"),
            _negative("GLUCOSE, URINE", "Glucose", "mg/dL", ""),
            _negative("KETONES", "Ketones", "mg/dL", ""),
            AnalyteSpec(
                "UROBILINOGEN",
                "Urobilinogen",
                "mg/dL",
                None,
                2.0,
                fixed_value="<2.0",
                formatted_range="<2.0",
                flag="Normal",
            ),
            _negative("BLOOD, URINE", "Blood", "", ""),
        ),
    ),
    "CXR": PanelSpec(
        "XR CHEST 2 VIEWS",
        "IMAGING",
        "",
        narrative_html=(
            "<p><b>EXAM:</b> XR CHEST 2 VIEWS</p><p><b>HISTORY:</b> Cough for 3 weeks.</p>"
            "<p><b>FINDINGS:</b> The lungs are clear. No pleural effusion or pneumothorax. "
            "Heart size is normal.</p>"
        ),
        impression_html="<p>No acute cardiopulmonary process.</p>",
        result_delay_hours=(20, 60),
    ),
    "PATH": PanelSpec(
        "SURGICAL PATHOLOGY",
        "OTHER",
        "Skin",
        note_html=(
            "<div><b>FINAL DIAGNOSIS:</b><br/>Skin, left forearm, shave biopsy:<br/>"
            "- Seborrheic keratosis.<br/>- Margins free.</div>"
        ),
        note_text="FINAL DIAGNOSIS: Skin, left forearm, shave biopsy: - Seborrheic keratosis. - Margins free.",
        pdf=False,
        result_delay_hours=(70, 120),
    ),
}

# February and December dates are Pacific standard time (-08:00); the rest daylight time (-07:00).
ENCOUNTERS: tuple[EncounterSpec, ...] = (
    EncounterSpec(2023, 2, ("CMP", "CBC")),
    EncounterSpec(2023, 8, ("CXR",)),
    EncounterSpec(2024, 6, ("LIPID", "A1C")),
    EncounterSpec(2024, 12, ("UA",)),
    EncounterSpec(2025, 5, ("PATH",)),
    EncounterSpec(2026, 1, ("BMP",)),
    EncounterSpec(2026, 10, ("TSH",)),
)

PROVIDERS = ("ALEX SAMPLE MD", "JORDAN PLACEHOLDER DO", "CASEY MOCKWELL NP")
