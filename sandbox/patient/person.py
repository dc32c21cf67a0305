"""Who the synthetic patient is: invented name, birth date, identifiers and contact details.

Drawn once per seed and shared by the profile, the pharmacy member block and the sign-in credentials.
Every value is invented; phone numbers use the fictional 555-01XX range.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sandbox.patient.timeline import ANCHOR_DATE

__all__ = ["Person", "draw_person"]

_GIVEN = {
    "F": (("Dana", "Dee"), ("Robin", "Robbie"), ("Casey", "Case"), ("Morgan", "Mo"), ("Jordan", "Jo")),
    "M": (("Alex", "Al"), ("Jamie", "Jay"), ("Taylor", "Tay"), ("Riley", "Ry"), ("Quinn", "Q")),
}
_SURNAMES = ("Example", "Sample", "Testpatient", "Specimen", "Placeholder", "Mockwell")
_MIDDLE_INITIALS = "ABCDEFGHJKLMNPQRSTVW"


@dataclass(frozen=True)
class Phone:
    """A North American number kept as the integers kp.org serves."""

    area: int
    exchange: int
    subscriber: int

    @property
    def last4(self) -> str:
        return f"{self.subscriber:04d}"


@dataclass(frozen=True)
class Person:
    first_name: str
    middle_name: str
    surname: str
    preferred_name: str
    gender: str
    birth_date: date
    mrn: int
    guid: int
    sms_phone: Phone
    home_phone: Phone
    work_phone: Phone

    @property
    def age(self) -> float:
        """Whole years at the anchor date, as the float kp.org sends (``47.0``)."""
        before_birthday = (ANCHOR_DATE.month, ANCHOR_DATE.day) < (self.birth_date.month, self.birth_date.day)
        return float(ANCHOR_DATE.year - self.birth_date.year - before_birthday)

    @property
    def username(self) -> str:
        return f"{self.first_name}.{self.surname}".lower()

    @property
    def email(self) -> str:
        return f"{self.username}@example.test"


def _phone(rng: random.Random, area: int) -> Phone:
    # 555-0100..0199 is reserved for fiction; the subscriber always needs zero padding.
    return Phone(area=area, exchange=555, subscriber=rng.randint(100, 199))


def draw_person(rng: random.Random) -> Person:
    """Draw an invented adult patient."""
    gender = rng.choice(("F", "M"))
    first, preferred = rng.choice(_GIVEN[gender])
    birth_date = date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28))
    area = rng.choice((415, 510, 650, 707, 916))
    return Person(
        first_name=first,
        middle_name=rng.choice(_MIDDLE_INITIALS),
        surname=rng.choice(_SURNAMES),
        preferred_name=preferred,
        gender=gender,
        birth_date=birth_date,
        mrn=rng.randint(11_000_000, 19_999_999),
        guid=rng.randint(7_000_000, 7_999_999),
        sms_phone=_phone(rng, area),
        home_phone=_phone(rng, area),
        work_phone=_phone(rng, rng.choice((408, 925))),
    )
