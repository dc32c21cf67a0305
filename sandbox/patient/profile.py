"""The ``GET /mycare/v1.0/user`` document (KAISER_API.md §2.1), with every documented quirk.

Quirks carried: ``postalCode`` as a JSON number (ZIP+4 as one integer, and one address whose leading
zero is lost), phones as structured integers with subscribers that need zero padding and no primary
entry, the misspelt and empty ``emailAddresseInfos``, ``age`` as a float, integer MRN/guid, and an
open-ended ``9999-12-31`` coverage end date.
"""

from __future__ import annotations

import random
from typing import Any

from sandbox.patient.person import Person, Phone

__all__ = ["build_profile"]

_CA_CITIES = (("Oakland", 94612), ("Sacramento", 95814), ("Walnut Creek", 94596), ("San Rafael", 94901))
_STREETS = ("Test Way", "Sample Street", "Placeholder Avenue", "Fixture Lane", "Mock Court")


def _phone_info(kind: str, label: str, phone: Phone) -> dict[str, Any]:
    return {
        "type": kind,
        "label": label,
        "primaryIndicator": False,
        "phoneNumber": {
            "area": phone.area,
            "exchange": phone.exchange,
            "subscriber": phone.subscriber,
            "country": None,
            "extension": None,
        },
    }


def _addresses(rng: random.Random) -> list[dict[str, Any]]:
    city, zip5 = rng.choice(_CA_CITIES)
    mailing = {
        "type": "MAILING",
        "label": "Mailing",
        "street1": f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}",
        "street2": None,
        "city": city,
        "state": "CA",
        "postalCode": zip5 * 10_000 + rng.randint(1, 9999),
        "preferredIn": True,
    }
    # A New England ZIP: its leading zero is lost in the integer (02139-0042 -> 21390042).
    seasonal = {
        "type": "TEMPORARY",
        "label": "Temporary",
        "street1": f"{rng.randint(1, 999)} {rng.choice(_STREETS)}",
        "street2": f"Apt {rng.randint(1, 40)}",
        "city": "Boston",
        "state": "MA",
        "postalCode": 2139 * 10_000 + rng.randint(1, 99),
        "preferredIn": False,
    }
    return [mailing, seasonal]


def build_profile(rng: random.Random, person: Person) -> dict[str, Any]:
    """The full (unprojected) ``/user`` response for ``person``."""
    start_year = rng.randint(2015, 2021)
    return {
        "UserAccountData": {
            "ebizAccountsWithPersonInfos": {
                "nameDetails": {
                    "firstName": person.first_name,
                    "middleName": person.middle_name,
                    "surname": person.surname,
                },
                "contactInfo": {
                    "addressInfos": _addresses(rng),
                    "phoneInfos": [
                        _phone_info("SMS", "Mobile phone", person.sms_phone),
                        _phone_info("RESIDENCE", "Home phone", person.home_phone),
                        _phone_info("DAY", "Day phone", person.work_phone),
                    ],
                    "emailAddresseInfos": [],
                },
                "dateOfBirth": person.birth_date.isoformat(),
                "age": person.age,
                "gender": person.gender,
                "areaOfCareInfos": [
                    {"guid": person.guid, "mrn": person.mrn, "areaOfCare": "NCA", "role": "PRI"},
                ],
                "membershipAccountInfo": {
                    "accountId": person.mrn,
                    "region": "NCA",
                    "planInfos": [
                        {
                            "purchaserName": "EXAMPLE WIDGETS INC",
                            "consumerPlanType": "HMO",
                            "coverageStartDate": f"{start_year}-01-01",
                            # Open-ended coverage: the 9999-12-31 sentinel is itself an assumption (§2.1).
                            "coverageEndDate": "9999-12-31",
                        },
                        {
                            "purchaserName": "SAMPLE COUNTY SCHOOLS",
                            "consumerPlanType": "HMO",
                            "coverageStartDate": f"{start_year - 4}-07-01",
                            "coverageEndDate": f"{start_year - 1}-12-31",
                        },
                    ],
                    # Inferred: present only so the projection has fields to drop.
                    "memberSinceYear": start_year - 4,
                },
                # Inferred: present only so the projection has fields to drop.
                "preferredLanguage": "en",
            },
            "userIdentityInfo": {
                "guid": person.guid,
                "email": person.email,
                "preferredGivenName": person.preferred_name,
                # Inferred: present only so the projection has fields to drop.
                "userName": person.username,
            },
        }
    }
