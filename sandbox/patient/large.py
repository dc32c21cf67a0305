"""What makes the ``large`` patient large: ten years of lab visits and forty prescriptions.

About 880 collection visits (three panels each, drawn from the LAB panels with a few imaging studies)
give ~2,650 orders and ~21,000 result components; 35 invented prescriptions join the five fixed ones.
Everything comes from the caller's seeded ``random.Random``, so the same seed gives the same record.
"""

from __future__ import annotations

import random

from sandbox.patient.lab_catalog import EncounterSpec
from sandbox.patient.pharmacy import RxSpec
from sandbox.patient.timeline import days_before_anchor

__all__ = ["LARGE_VISITS", "large_encounters", "large_prescriptions"]

LARGE_VISITS = 880
_YEARS = 10
_PANEL_WEIGHTS = {"CMP": 35, "BMP": 20, "UA": 20, "CBC": 20, "LIPID": 4, "A1C": 3, "TSH": 3, "CXR": 1}
_STEMS = ("EXAMPLO", "SAMPLI", "MOCKA", "FICTO", "INVENTA", "PLACEBO", "DUMMA", "TESTI", "NOMIN")
_SUFFIXES = ("PRIL", "SARTAN", "STATIN", "ZOLE", "MYCIN", "LOL", "DIPINE", "FORMIN", "TIDINE")
_FORMS = (("TAB", "tablet"), ("CAP", "capsule"))
_MAKERS = ("EXAMPLEPHARM", "SAMPLEGEN", "MOCKLABS", "ACME")


def large_encounters(rng: random.Random) -> tuple[EncounterSpec, ...]:
    """Ten years of visits, oldest first, three distinct panels each."""
    panels, weights = list(_PANEL_WEIGHTS), list(_PANEL_WEIGHTS.values())
    spacing = _YEARS * 365 / LARGE_VISITS
    encounters = []
    for index in range(LARGE_VISITS):
        day = days_before_anchor(int((LARGE_VISITS - index) * spacing) + 1)
        chosen: list[str] = []
        while len(chosen) < 3:
            panel = rng.choices(panels, weights)[0]
            if panel not in chosen:
                chosen.append(panel)
        encounters.append(EncounterSpec(year=day.year, month=day.month, panels=tuple(chosen)))
    return tuple(encounters)


def large_prescriptions(rng: random.Random, count: int = 35) -> tuple[RxSpec, ...]:
    """``count`` invented prescriptions with varied fillability, refills and supply."""
    specs = []
    for index in range(count):
        name = f"{_STEMS[index % len(_STEMS)]}{_SUFFIXES[(index // len(_STEMS)) % len(_SUFFIXES)]}"
        form, noun = _FORMS[index % 2]
        strength = rng.choice((5, 10, 20, 25, 50, 100))
        supply = rng.choice((30, 90))
        specs.append(
            RxSpec(
                f"{name} {strength} MG {form} {rng.choice(_MAKERS)}",
                f"{name[:5]}VEXA{index}",
                f"Take 1 {noun} by mouth daily",
                name.lower(),
                fillable=rng.random() < 0.75,
                refills=rng.randint(0, 5),
                days_supply=supply,
                quantity=supply,
                iso_recent_date=rng.random() < 0.5,
            )
        )
    return tuple(specs)
