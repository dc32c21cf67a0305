"""Seeded generation of the whole synthetic patient: same seed, byte-identical documents."""

from __future__ import annotations

import random
from typing import Literal

from sandbox.patient.access_logs import build_access_logs
from sandbox.patient.allergies import build_allergy_list
from sandbox.patient.care_team import build_care_team, provider_names
from sandbox.patient.implants import build_implants
from sandbox.patient.labs import build_lab_orders
from sandbox.patient.large import large_encounters, large_prescriptions
from sandbox.patient.messages import build_message_center
from sandbox.patient.model import LabOrder, SyntheticPatient
from sandbox.patient.orders import build_upcoming_orders
from sandbox.patient.person import draw_person
from sandbox.patient.pharmacy import build_rx_details
from sandbox.patient.problems import build_problem_list, unpadded_date
from sandbox.patient.profile import build_profile
from sandbox.patient.refill_orders import build_refill_orders
from sandbox.patient.relationships import build_relationships
from sandbox.patient.visit_notes import build_visit_documents
from sandbox.patient.visits import build_visits

__all__ = ["generate_patient"]

_PASSWORD_WORDS = ("harbor", "meadow", "granite", "lantern", "orchard", "cobalt")


PatientSize = Literal["small", "large"]


def _resulted(order: LabOrder) -> str:
    return str(order.list_entry["orderMetadata"]["prioritizedInstantISO"])


def generate_patient(seed: int = 1, size: PatientSize = "small") -> SyntheticPatient:
    """The synthetic patient for ``seed``; ``small`` is the demo-sized record (about 9 lab orders),
    ``large`` ten years of care (~2,650 lab orders, ~21,000 components, 40 prescriptions).

    Deterministic: one ``random.Random(seed)`` drawn in a fixed order, dates relative to a fixed anchor.
    The small patient's draws are unchanged by the large one (its extras are drawn from a second rng).
    """
    if size not in ("small", "large"):
        raise ValueError(f"unsupported patient size: {size!r}")
    large_rng = random.Random(f"{seed}:large") if size == "large" else None
    rng = random.Random(seed)
    person = draw_person(rng)
    password = f"sandbox-{rng.choice(_PASSWORD_WORDS)}-{rng.randint(1000, 9999)}"
    profile = build_profile(rng, person)
    lab_orders = build_lab_orders(rng)
    if large_rng is not None:
        older = build_lab_orders(large_rng, large_encounters(large_rng))
        lab_orders = tuple(sorted(lab_orders + older, key=_resulted, reverse=True))
    rx_details = build_rx_details(rng, person, large_prescriptions(large_rng) if large_rng else ())
    visits = build_visits(random.Random(f"{seed}/appointments"), size)
    care_team = build_care_team(random.Random(f"{seed}/care-team"), size)
    return SyntheticPatient(
        username=person.username,
        password=password,
        phone_last4=person.sms_phone.last4,
        profile=profile,
        lab_orders=lab_orders,
        rx_details=rx_details,
        refill_orders=build_refill_orders(seed, rx_details, orders_per_rx=12 if size == "large" else 2),
        problem_list=build_problem_list(random.Random(f"{seed}/problems"), size, unpadded_date(person.birth_date)),
        allergy_list=build_allergy_list(random.Random(f"{seed}/allergies"), size, unpadded_date(person.birth_date)),
        visits=visits,
        visit_documents=build_visit_documents(random.Random(f"{seed}/visit-notes"), visits.past),
        implants=build_implants(random.Random(f"{seed}/implants"), size),
        upcoming_orders=build_upcoming_orders(random.Random(f"{seed}/upcoming-orders"), size),
        relationships=build_relationships(random.Random(f"{seed}/relationships"), size),
        care_team=care_team[0],
        care_team_external=care_team[1],
        message_center=build_message_center(
            random.Random(f"{seed}/messages"),
            size,
            staff_names=provider_names(care_team[0]),
            patient_name=f"{person.first_name} {person.surname}",
        ),
        access_logs=build_access_logs(random.Random(f"{seed}/access-logs"), size),
    )
