"""Kaiser unit strings -> UCUM codes, only where the mapping is unambiguous, and Quantity building.

The original string always stays in ``Quantity.unit``; ``system``/``code`` are added only for a row of
:data:`UCUM_CODES`. Matching is exact (after trimming): UCUM is case-sensitive, so a spelling we have not
reviewed is left uncoded rather than guessed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from translators.systems import UCUM

UCUM_CODES: dict[str, str] = {
    # Already valid UCUM, written the way Kaiser writes them.
    "mmol/L": "mmol/L",  # electrolytes, glucose (SI)
    "mg/dL": "mg/dL",  # glucose, creatinine, BUN, lipids
    "g/dL": "g/dL",  # hemoglobin, albumin, total protein
    "mg/L": "mg/L",  # CRP
    "ng/mL": "ng/mL",  # ferritin, PSA, vitamin D
    "pg/mL": "pg/mL",  # B12, BNP
    "ug/dL": "ug/dL",  # iron (ASCII "u" is UCUM's micro)
    "U/L": "U/L",  # enzyme activity (ALT, AST, ALP): UCUM's enzyme unit U
    "fL": "fL",  # MCV
    "pg": "pg",  # MCH
    "%": "%",  # hematocrit, HbA1c (NGSP), RDW
    "mg/g": "mg/g",  # urine albumin/creatinine ratio
    "mm/h": "mm/h",  # ESR
    # Lab shorthand whose UCUM spelling differs but whose meaning has one reading.
    "K/uL": "10*3/uL",  # "K" = thousands per microliter (WBC, platelets)
    "M/uL": "10*6/uL",  # "M" = millions per microliter (RBC)
    "mEq/L": "meq/L",  # UCUM writes milliequivalents in lower case
    "mm/hr": "mm/h",  # ESR; "hr" is not UCUM, "h" is
    "mL/min/1.73m2": "mL/min/{1.73_m2}",  # eGFR per 1.73 m2 body surface: LOINC's UCUM form with annotation
    "IU/L": "[IU]/L",  # international units are bracketed in UCUM
    "mIU/L": "m[IU]/L",  # TSH
    "uIU/mL": "u[IU]/mL",  # TSH (alternative reporting)
    "mmHg": "mm[Hg]",  # pressures
}


def quantity(value: Decimal, unit: str | None, *, comparator: str | None = None) -> dict[str, Any]:
    """A Quantity with ``unit`` kept verbatim and the UCUM code when :data:`UCUM_CODES` maps it."""
    result: dict[str, Any] = {"value": value}
    if comparator is not None:
        result["comparator"] = comparator
    if unit:
        result["unit"] = unit
        code = UCUM_CODES.get(unit.strip())
        if code is not None:
            result["system"] = UCUM
            result["code"] = code
    return result


def days(count: int) -> dict[str, Any]:
    """A Duration of ``count`` days in UCUM (``d``)."""
    return {"value": count, "unit": "days", "system": UCUM, "code": "d"}
