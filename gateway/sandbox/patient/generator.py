"""Seeded generation of the whole synthetic patient: same seed, byte-identical documents."""

from __future__ import annotations

import random
from typing import Literal

from gateway.sandbox.patient.labs import build_lab_orders
from gateway.sandbox.patient.model import SyntheticPatient
from gateway.sandbox.patient.person import draw_person
from gateway.sandbox.patient.pharmacy import build_rx_details
from gateway.sandbox.patient.profile import build_profile

__all__ = ["generate_patient"]

_PASSWORD_WORDS = ("harbor", "meadow", "granite", "lantern", "orchard", "cobalt")


def generate_patient(seed: int = 1, size: Literal["small"] = "small") -> SyntheticPatient:
    """The synthetic patient for ``seed``; ``small`` is the demo-sized record (about 9 lab orders).

    Deterministic: one ``random.Random(seed)`` drawn in a fixed order, dates relative to a fixed anchor.
    """
    if size != "small":
        raise ValueError(f"unsupported patient size: {size!r}")
    rng = random.Random(seed)
    person = draw_person(rng)
    password = f"sandbox-{rng.choice(_PASSWORD_WORDS)}-{rng.randint(1000, 9999)}"
    profile = build_profile(rng, person)
    lab_orders = build_lab_orders(rng)
    rx_details = build_rx_details(rng, person)
    return SyntheticPatient(
        username=person.username,
        password=password,
        phone_last4=person.sms_phone.last4,
        profile=profile,
        lab_orders=lab_orders,
        rx_details=rx_details,
    )
