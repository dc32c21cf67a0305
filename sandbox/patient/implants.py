"""Implants (KAISER_API.md §2.12): the ``api/implants/GetImplants`` body.

Quirks kept: ``implantList`` is an object keyed by device id; procedure dates are display text
("January 3, 2024") in a field named ``isoDate``; ``deviceCount`` is a string or ""; an older device
has an empty ``udi``; a never-explanted device has an all-"" ``explantProcedure``; one physical device
appears twice (a curated UDI record and a raw feed record with a vendor-code prefixed name, same serial
and date); ``"zzz"`` is the unknown-area group.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, Literal

from sandbox.patient.opaque import digits, wp_id
from sandbox.patient.timeline import days_before_anchor

__all__ = ["build_implants", "long_date"]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_EMPTY_PROCEDURE = {"isoDate": "", "deviceCount": "", "provider": "", "facility": ""}


def long_date(day: date) -> str:
    """``January 3, 2024``."""
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _procedure(day: date, provider: str, facility: str, count: str = "1") -> dict[str, str]:
    return {"isoDate": long_date(day), "deviceCount": count, "provider": provider, "facility": facility}


def _device(rng: random.Random, **overrides: Any) -> dict[str, Any]:
    device: dict[str, Any] = {
        "id": wp_id(rng, 70),
        "name": "",
        "type": "",
        "area": "",
        "laterality": "",
        "status": "Implanted",
        "isExplant": False,
        "isExternal": False,
        "manufacturer": "",
        "model": "",
        "serial": "",
        "udi": "",
        "sdi": "",
        "lot": "",
        "comments": [],
        "description": [],
        "organizationLinks": [],
        "implantProcedure": dict(_EMPTY_PROCEDURE),
        "explantProcedure": dict(_EMPTY_PROCEDURE),
    }
    device.update(overrides)
    return device


def _devices(rng: random.Random, size: Literal["small", "large"]) -> list[dict[str, Any]]:
    pacer_day, lens_day, port_day = days_before_anchor(1030), days_before_anchor(2900), days_before_anchor(1800)
    serial, gtin = f"SN-{digits(rng, 6)}", digits(rng, 14)
    pacer = _device(
        rng,
        name="Sample Pacer 1000",
        type="Pacemaker",
        area="Chest",
        laterality="Left",
        manufacturer="ACME CARDIAC",
        model="SP-1000",
        serial=serial,
        udi=f"(01){gtin}(17)300101(21){serial}",
        sdi=gtin,
        lot=f"LOT{digits(rng, 5)}",
        implantProcedure=_procedure(pacer_day, "DR TEST", "Sample Surgery Center"),
    )
    feed_copy = _device(
        rng,
        name=f"ACM-4471 {pacer['name'].upper()}",
        type="Cardiac Implant",
        area="Chest",
        manufacturer="ACME CARDIAC",
        serial=serial,
        implantProcedure=_procedure(pacer_day, "", "Sample Surgery Center", ""),
    )
    lens = _device(
        rng,
        name="Monofocal Intraocular Lens",
        type="Ophthalmology",
        area="Eye",
        laterality="Right",
        manufacturer="EXAMPLE OPTICS",
        model="IOL-20D",
        serial=f"IOL{digits(rng, 7)}",
        comments=["+20.0 D"],
        implantProcedure=_procedure(lens_day, "DR SAMPLE EYE", "Sample Eye Institute"),
    )
    port = _device(
        rng,
        name="Implanted Venous Port",
        type="Vascular Access",
        area="",
        status="Explanted",
        isExplant=True,
        manufacturer="PLACEHOLDER MEDICAL",
        model="VP-8",
        serial=f"VP{digits(rng, 6)}",
        implantProcedure=_procedure(port_day, "DR EXAMPLE", "Sample Medical Center"),
        explantProcedure=_procedure(days_before_anchor(1500), "DR EXAMPLE", "Sample Medical Center"),
    )
    devices = [pacer, feed_copy, lens, port]
    if size == "large":
        devices.append(
            _device(
                rng,
                name="Titanium Bone Screw",
                type="Orthopedic",
                area="Knee",
                laterality="Right",
                manufacturer="SAMPLE ORTHO",
                implantProcedure=_procedure(days_before_anchor(3300), "DR ORTHO", "Sample Surgery Center", "4"),
            )
        )
    return devices


def build_implants(rng: random.Random, size: Literal["small", "large"]) -> dict[str, Any]:
    """The GetImplants body: 4 devices (``small``) or 5 (``large``), grouped by body area."""
    devices = _devices(rng, size)
    keys = [f"IMP-{index + 1}" for index in range(len(devices))]
    groups: dict[str, list[str]] = {}
    for key, device in zip(keys, devices, strict=True):
        groups.setdefault(device["area"] or "zzz", []).append(key)
    return {
        "implantGroupList": [{"area": area, "implantIDs": ids} for area, ids in sorted(groups.items())],
        "implantList": dict(zip(keys, devices, strict=True)),
        "communityActive": False,
    }
