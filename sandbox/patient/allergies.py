"""Allergies (KAISER_API.md §2.9): ``Clinical/Allergies/LoadListData``'s whole response.

*Inferred:* the per-allergy item was never captured (the studied patient had none). It is modelled on
the problem list: an ``AllergyItem`` wrapper plus a ``LocalItem`` copy with ``Name``, ``ID``,
``FormattedDateNoted``, ``Action``, ``IsReadOnly``, ``Comments``, ``Reactions`` (``Value`` strings into the
``ReactionList`` catalog) and ``Severity``. Only the empty state (``DataList: []`` with
``AllergiesStatus: 0`` = "no known allergies") and the catalog are captured shapes.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from sandbox.patient.opaque import digits
from sandbox.patient.problems import unpadded_date
from sandbox.patient.timeline import days_before_anchor

__all__ = ["REACTION_CATALOG", "build_allergy_list"]

REACTION_CATALOG: tuple[tuple[str, str], ...] = (
    ("3", "Asthma and/or Shortness of Breath"),
    ("7", "Hives"),
    ("9", "Itching"),
    ("12", "Nausea and/or Vomiting"),
    ("15", "Rash"),
    ("18", "Swelling"),
    ("21", "Anaphylaxis"),
    ("24", "Diarrhea"),
)
_ALLERGENS = (
    ("Penicillins", "High"),
    ("Sulfa (Sulfonamide Antibiotics)", "Medium"),
    ("Peanut", "High"),
    ("Latex", "Low"),
    ("Codeine", ""),
    ("Shellfish Derived", "Medium"),
)


def _catalog() -> list[dict[str, Any]]:
    return [
        {
            "Value": value,
            "Title": title,
            "Number": int(value),
            "Abbreviation": "",
            "Abbr": "",
            "Comment": "",
            "IsInactive": False,
            "TitleUtf8": title,
            "AbbreviationUtf8": "",
        }
        for value, title in REACTION_CATALOG
    ]


def _item(rng: random.Random, name: str, severity: str, index: int) -> dict[str, Any]:
    picked = 0 if index == 2 else rng.randint(1, 2)
    reactions = [value for value, _ in rng.sample(REACTION_CATALOG, picked)]
    local = {
        "Name": name,
        "ID": f"AL-{digits(rng, 9)}",
        "FormattedDateNoted": "" if index == 1 else unpadded_date(days_before_anchor(rng.randint(200, 3000))),
        "Action": 0,
        "IsReadOnly": False,
        "Comments": "Reaction as a child." if index == 0 else None,
        "Reactions": reactions,
        "Severity": severity,
    }
    return {"AllergyItem": {**local, "EdgID": None, "TempID": None}, "LocalItem": local, "HasLocalInstance": True}


def build_allergy_list(
    rng: random.Random, size: Literal["small", "large"], birth_date: str, *, none_known: bool = False
) -> dict[str, Any]:
    """The LoadListData body; ``none_known`` gives the captured "no known allergies" state."""
    count = 0 if none_known else (3 if size == "small" else len(_ALLERGENS))
    chosen = rng.sample(_ALLERGENS, count)
    return {
        "DataList": [_item(rng, name, severity, index) for index, (name, severity) in enumerate(chosen)],
        "ReactionList": _catalog(),
        "DateOfBirth": birth_date,
        "AllergiesUrl": "Clinical/Allergies",
        # Inferred: only 0 (with an empty list) was captured; 1 stands for "has allergies" here.
        "AllergiesStatus": 0 if none_known else 1,
        "HasUpdateSecurity": False,
        "HasStandAloneUpdateSecurity": False,
    }
