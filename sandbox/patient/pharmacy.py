"""The pharmacy BFF's ``rxDetails`` document (KAISER_API.md §2.7), with every documented quirk.

Quirks carried: string ``refillsRemaining`` and ``mailable``, ``lastRefillDate: "N/A"``, ``recentRxDate``
in ISO on some rows and MM/DD/YYYY on others, ``afcInfo.compound`` absent on one row, an as-needed
(``prn``) inhaler, an exhausted Rx inside ``fillable``, 11-digit NDC strings, prescriber in
``consumerName``, mixed-case ``medicineName``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sandbox.patient.lab_catalog import PROVIDERS
from sandbox.patient.opaque import digits
from sandbox.patient.person import Person
from sandbox.patient.timeline import days_before_anchor, mmddyyyy

__all__ = ["RxSpec", "build_rx_details"]


@dataclass(frozen=True)
class _RxSpec:
    medicine: str
    brand: str
    sig: str
    slug: str
    fillable: bool
    refills: int
    days_supply: int
    quantity: int
    prn: bool = False
    new: bool = False
    """Never filled: ``lastRefillDate`` is the literal ``"N/A"``."""
    iso_recent_date: bool = True
    compound_known: bool = True
    mailable: bool = True


RxSpec = _RxSpec
"""Public name for building extra prescriptions (the large patient)."""

_CATALOG = (
    _RxSpec(
        "LISINOPRIL 10 MG TAB EXAMPLEPHARM",
        "PRINIVEXA",
        "Take 1 tablet by mouth daily",
        "lisinopril",
        fillable=True,
        refills=3,
        days_supply=90,
        quantity=90,
    ),
    _RxSpec(
        "atorvastatin 20 MG Tab Samplegen",
        "LIPITEXA",
        "Take 1 tablet by mouth at bedtime",
        "atorvastatin",
        fillable=True,
        refills=0,
        days_supply=90,
        quantity=90,
        iso_recent_date=False,
    ),
    _RxSpec(
        "METFORMIN HCL 500 MG TAB MOCKLABS",
        "GLUCOVEXA",
        "Take 1 tablet by mouth twice daily with meals",
        "metformin",
        fillable=True,
        refills=5,
        days_supply=30,
        quantity=60,
        new=True,
        compound_known=False,
    ),
    _RxSpec(
        "ALBUTEROL HFA 90 MCG/ACT AERO EXAMPLEPHARM",
        "AIRVEXA",
        "Inhale 2 puffs every 4 hours as needed for wheezing",
        "albuterol",
        fillable=False,
        refills=1,
        days_supply=25,
        quantity=1,
        prn=True,
        iso_recent_date=False,
    ),
    _RxSpec(
        "Sertraline 50 MG Tab Samplegen",
        "CALMVEXA",
        "Take 1 tablet by mouth daily",
        "sertraline",
        fillable=False,
        refills=2,
        days_supply=30,
        quantity=30,
        mailable=False,
    ),
)


def _prescription(rng: random.Random, spec: _RxSpec, ndc: str) -> dict[str, Any]:
    prescribed = days_before_anchor(rng.randint(200, 400) if not spec.new else rng.randint(3, 10))
    last_fill = None if spec.new else days_before_anchor(rng.randint(20, 80))
    recent = last_fill or prescribed
    next_eligible = recent + timedelta(days=max(spec.days_supply - 7, 1))
    exhausted = spec.refills == 0
    copay = 0.0 if spec.new else round(rng.choice((5.0, 10.0, 15.0)), 2)
    uc_charge = round(rng.uniform(8, 60), 2)
    afc: dict[str, Any] = {
        "rxnbr": digits(rng, 7),
        "dispenseddayssupply": spec.days_supply,
        "copay": copay,
        "nextFillEligibleDate": mmddyyyy(next_eligible),
        "lastdispensedndc": ndc,
        "mrnrgn": "NCA",
        "deacode": "6",
        "prn": spec.prn,
    }
    if spec.compound_known:
        afc["compound"] = False
    rx: dict[str, Any] = {
        "medicineName": spec.medicine,
        "commonBrandName": spec.brand,
        "consumerInstructions": spec.sig,
        "consumerName": rng.choice(PROVIDERS),
        "prescribedOn": mmddyyyy(prescribed),
        "lastRefillDate": "N/A" if last_fill is None else mmddyyyy(last_fill),
        "lastSoldDate": None if last_fill is None else mmddyyyy(last_fill),
        "refillsRemaining": str(spec.refills),
        "mailable": "true" if spec.mailable else "false",
        "firstFill": spec.new,
        "isNewPrescription": spec.new,
        "recentRx": spec.new,
        "recentRxDate": recent.isoformat() if spec.iso_recent_date else mmddyyyy(recent),
        "refillEligible": spec.fillable and not exhausted,
        "autoRefill": False,
        "autoRefillEligible": spec.mailable and not spec.prn,
        "rarCodeKey": "Rx_NoMoreRefills" if exhausted else "",
        "rarStatus": exhausted,
        "drugEncyclopediaLink": f"/health-wellness/drug-encyclopedia/drug.{spec.slug}.example",
        "afcInfo": afc,
        "fillOptions": [
            {
                "deliveryMethod": method,
                "daysSupply": spec.days_supply,
                "quantity": spec.quantity,
                "otherCoverageCode": "8",
                "copaystts": "000",
                "copaysttsdtl": "Approved",
                "ucCharge": uc_charge,
                "planPay": round(uc_charge - copay, 2),
                "estimatedCopay": copay,
            }
            for method in (("M", "L") if spec.mailable else ("L",))
        ],
        # Inferred item shape: only a "PRN" indicator was ever seen, its exact layout was not captured.
        "RxCustomIndicators": [{"key": "PRN", "value": "true"}] if spec.prn else [],
    }
    if not spec.new and spec.fillable:
        rx["nextFillDate"] = mmddyyyy(next_eligible)
    return rx


def build_rx_details(rng: random.Random, person: Person, extra: tuple[RxSpec, ...] = ()) -> dict[str, Any]:
    """The full ``prescriptions_filter=all`` response (``extra`` prescriptions follow the fixed catalog)."""
    catalog = _CATALOG + extra
    ndcs = ["0000" + digits(rng, 7) for _ in catalog]
    rows = [(spec, _prescription(rng, spec, ndc)) for spec, ndc in zip(catalog, ndcs, strict=True)]
    fillable = [rx for spec, rx in rows if spec.fillable]
    non_fillable = [rx for spec, rx in rows if not spec.fillable]
    return {
        "executionContext": {"statusCode": "000", "statusDetails": "Success"},
        "member": {
            "guid": str(person.guid),
            "mrn": str(person.mrn),
            "firstName": person.first_name.upper(),
            "lastName": person.surname.upper(),
            "shipToState": "CA",
            "InsurancePlans": ["COMMERCIAL", "CASH"],
            "isM3PMem": False,
            "isTeenUser": False,
        },
        "prescriptions": {
            "rxRefillResponse": True,
            "rxcomid": "RXC-" + digits(rng, 9),
            "lastDispensedNDCs": [rx["afcInfo"]["lastdispensedndc"] for _, rx in rows if rx["lastSoldDate"]],
            "pickUpReadyDispenseLocCodes": [],
            "recentRefillableCount": sum(1 for rx in fillable if rx["recentRx"]),
            "totalRefillableCount": len(fillable),
            "recentNonRefillableCount": sum(1 for rx in non_fillable if rx["recentRx"]),
            "totalNonRefillableCount": len(non_fillable),
            "fillable": fillable,
            "nonFillable": non_fillable,
        },
    }
