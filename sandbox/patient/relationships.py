"""The GetRelationshipList roster (KAISER_API.md §2.2): emergency contacts, a healthcare agent, code tables.

Quirks kept: ``Success`` is the string ``"1"``; absent phones are empty strings; a legacy contact has
null ``FirstName``/``LastName`` and free text in ``FormattedName``; a blank ``Street`` means no address;
``Zip`` is a string; with ``disableUTF8`` the category ``Title`` is ASCII-folded and ``TitleUtf8`` keeps
the original. Category values are invented (the real table numbers are not published).
"""

from __future__ import annotations

import random
from typing import Any, Literal

from sandbox.patient.opaque import wp_id

__all__ = ["build_relationships"]

_RELATIONS = (
    ("7", "Spouse"),
    ("3", "Daughter"),
    ("4", "Son"),
    ("5", "Mother"),
    ("6", "Father"),
    ("8", "Sister"),
    ("9", "Brother"),
    ("12", "Neighbor"),
    ("15", "Friend"),
    ("21", "Caregiver"),
    ("33", "Fianc\u00e9"),
)
_LEGAL_1107 = (("101", "Conservator"), ("102", "DPOAHC Primary"), ("103", "DPOAHC Alternate"))
_LEGAL_1113 = (("104", "Designated Decision Maker (not a legal designation)"),)
_FIRST = ("Robin", "Casey", "Jordan", "Morgan", "Avery", "Parker", "Reese", "Skyler")
_LAST = ("Example", "Sample", "Specimen", "Mockwell", "Placeholder")
_STREETS = ("2 Sample St", "48 Fictional Ave", "915 Invented Way", "7 Nowhere Ct")
_CITIES = (("Springfield", "94501"), ("Oakdale", "94611"), ("Riverton", "95814"))


def _ascii(title: str) -> str:
    return title.replace("\u00e9", "e")


def _category(items: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    return {"CategoryItems": [{"Value": v, "Title": _ascii(t), "TitleUtf8": t} for v, t in items]}


def _field(field_id: str, value: str) -> dict[str, str]:
    return {"FieldId": field_id, "Value": value}


def _phone(rng: random.Random) -> str:
    return f"555-555-{rng.randint(100, 199):04d}"  # the fictional 555-01XX range


def _address(rng: random.Random, *, blank: bool) -> dict[str, Any]:
    city, zip_code = rng.choice(_CITIES)
    street = "" if blank else rng.choice(_STREETS)
    return {
        "Street": street,
        "City": "" if blank else city,
        "State": {"Number": "5", "Title": "California", "Abbreviation": "CA"},
        "Zip": "" if blank else zip_code,
        "Country": {"Number": "223", "Title": "UNITED STATES"},
        "Unit": None,
        "Floor": None,
        "Building": None,
        "FormattedValues": [] if blank else [street, f"{city}, CA {zip_code}"],
    }


def _contact(
    rng: random.Random, *, relation: str, legal: str = "", legacy: bool = False, agent: bool = False, primary: bool
) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    mobile, home = _phone(rng), _phone(rng) if rng.random() < 0.5 else ""
    return {
        "Id": wp_id(rng, rng.randint(70, 110)),
        "FormattedName": f"{last.upper()}, {first.upper()}" + (" (CALL FIRST)" if legacy else ""),
        "FirstName": None if legacy else first,
        "LastName": None if legacy else last,
        "AddressViewModel": _address(rng, blank=legacy),
        "HomePhone": _field("HomePhone", home),
        "WorkPhone": _field("WorkPhone", ""),
        "MobilePhone": _field("MobilePhone", mobile),
        "Email": _field("Email", "" if legacy else f"{first}.{last}@example.test".lower()),
        "PreferredDevice": _field("PreferredDevice", "3"),
        "RelationToPatient": _field("RelationshipToPatient", relation),
        "LegalRelationToPatient": _field("LegalRelationshipToPatient", legal),
        "IsActiveHealthCareAgent": agent,
        "IsPrimary": primary,
        "IsViewOnly": False,
    }


def build_relationships(rng: random.Random, size: Literal["small", "large"]) -> dict[str, Any]:
    """The full GetRelationshipList response: a spouse (primary), a legacy neighbor, a healthcare agent."""
    contacts = [
        _contact(rng, relation="7", legal="104", primary=True),
        _contact(rng, relation="12", legacy=True, primary=False),
        _contact(rng, relation="3", legal="102", agent=True, primary=False),
    ]
    if size == "large":
        contacts += [_contact(rng, relation=rng.choice(("15", "21", "33", "8")), primary=False) for _ in range(3)]
    return {
        "Success": "1",
        "HideRelationships": False,
        "HasConversionToEPT1733Run": True,
        "CategoryData": {
            "1000": _category(_RELATIONS),
            "1107": _category(_LEGAL_1107),
            "1113": _category(_LEGAL_1113),
        },
        "Relationships": contacts,
        "EndOfLifeDocuments": [],
    }
