"""The care team (KAISER_API.md §2.3): ``Clinical/CareTeam/Load`` and ``LoadExternal`` responses.

Quirks kept: upper-case names with the credential; ``NationalProviderID`` is a WP- handle, not an NPI;
panel-button flags that do not reflect real capability; ``SchedulableVisitTypes``/``Organizations`` null.
``LoadExternal`` was empty in recon, so ``small`` serves it empty; ``large`` adds one external provider
(entry shape *inferred* identical).
"""

from __future__ import annotations

import random
from typing import Any, Literal

from sandbox.patient.opaque import digits, wp_id

__all__ = ["build_care_team", "provider_names"]

_GIVEN = ("ALEX", "PAT", "SAM", "LEE", "KIM", "DREW", "JESSE", "NOEL")
_FAMILY = ("SAMPLE", "EXAMPLE", "FICTIVE", "MOCKRIDGE", "TESTWELL", "PLACEHOLD")
_ROLES = (
    ("Primary Care Provider", "Family Practice", "MD"),
    ("Cardiologist", "Cardiology", "MD"),
    ("Specialist", "Dermatology", "DO"),
    ("Specialist", "Physical Therapy", "PT"),
)


def _provider(rng: random.Random, relation: str, specialty: str, credential: str, *, external: bool) -> dict[str, Any]:
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    slug = f"{given}{family}".lower()
    return {
        "ID": wp_id(rng, rng.randint(80, 120)),
        "Name": f"{given} {family} {credential}",
        "NationalProviderID": wp_id(rng, rng.randint(80, 120)),
        "Photo": f"https://www.permanente.net/pmdb/photosync/{digits(rng, 6)}_photoweb.jpg",
        "WebPageUrl": f"https://mydoctor.kaiserpermanente.org/ncal/doctor/{slug}",
        "InfoBlurbUrl": None,
        "AboutMeBlurb": [],
        "CommCenterMessageUrl": "",
        "Specialty": specialty,
        "Relation": relation,
        "DepartmentID": wp_id(rng, rng.randint(80, 120)),
        "IsExternal": external,
        "CareTeamStatus": 0,
        "CanViewProviderDetails": not external,
        "CanDirectSchedule": False,
        "CanRequestAppointment": False,
        "CanRequestCustomAppt": False,
        "CanMessage": False,
        "CanHideProvider": relation != "Primary Care Provider",
        "HasNoProviderRecord": False,
        "IsNewSchedulingEnabled": True,
        "SchedulableVisitTypes": None,
        "Organizations": None,
    }


def _envelope(providers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "ProvidersList": providers,
        "DescriptiveTitle": "Care Team and Recent Providers",
        "TabColorClass": "color1",
        "IsCustomApptReqEnabled": False,
        "CustomRequestAppointmentLink": "showform&formname=ApptReqCntr",
    }


def build_care_team(rng: random.Random, size: Literal["small", "large"]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(Load, LoadExternal)`` responses; the Primary Care Provider comes first."""
    internal = [_provider(rng, *role, external=False) for role in _ROLES]
    external = [_provider(rng, "Specialist", "Ophthalmology", "MD", external=True)] if size == "large" else []
    return _envelope(internal), _envelope(external)


def provider_names(load: dict[str, Any]) -> list[str]:
    """Display names of the care team, PCP first (message senders are drawn from them)."""
    return [str(provider["Name"]) for provider in load["ProvidersList"]]
