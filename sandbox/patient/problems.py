"""The problem list (KAISER_API.md §2.8): ``Clinical/HealthIssues/LoadListData``'s whole response.

Each item carries the same problem twice (``HealthIssueItem`` and a slimmer ``LocalItem``); dates are
unpadded ``M/D/YYYY`` and may be empty; no codes, onset or severity exist in the patient-facing payload.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any, Literal

from sandbox.patient.opaque import digits
from sandbox.patient.timeline import days_before_anchor

__all__ = ["build_problem_list", "unpadded_date"]

_PROBLEMS = (
    "Seasonal allergic rhinitis",
    "Essential hypertension",
    "Mixed hyperlipidemia",
    "Prediabetes",
    "Low back pain",
    "Gastroesophageal reflux disease without esophagitis",
    "Mild intermittent asthma",
    "Vitamin D deficiency",
    "Primary osteoarthritis of right knee",
    "Hypothyroidism, unspecified type",
    "Migraine without aura",
    "Obstructive sleep apnea",
)
_COMMENTS = ("Managed with diet and exercise.", "Follows with specialty clinic yearly.")


def unpadded_date(day: date) -> str:
    """``3/7/2021``: MyChart's month/day without zero padding."""
    return f"{day.month}/{day.day}/{day.year}"


def _item(rng: random.Random, name: str, index: int) -> dict[str, Any]:
    noted = "" if index == 2 else unpadded_date(days_before_anchor(rng.randint(60, 3600)))
    comment = _COMMENTS[index % len(_COMMENTS)] if index in (1, 5) else None
    issue_id = f"HI-{digits(rng, 9)}"
    full: dict[str, Any] = {
        "Name": name,
        "ID": issue_id,
        "EdgID": None,
        "FormattedDateNoted": noted,
        "Organization": {},
        "UpdateInformation": None,
        "Action": 0,
        "ReferenceID": None,
        "Comments": comment,
        "IsReadOnly": False,
        "TempID": None,
    }
    local = {key: full[key] for key in ("Name", "ID", "FormattedDateNoted", "Action", "IsReadOnly", "Comments")}
    return {
        "HealthIssueItem": full,
        "LocalItem": local,
        "ExternalItems": [],
        "ExternalOrgs": [],
        "ContentLinkURL": "",
        "ContentLinkPath": "",
        "Target": "",
        "HasLocalInstance": True,
    }


def build_problem_list(rng: random.Random, size: Literal["small", "large"], birth_date: str) -> dict[str, Any]:
    """The LoadListData body: 4 problems (``small``) or all 12 (``large``)."""
    count = 4 if size == "small" else len(_PROBLEMS)
    names = rng.sample(_PROBLEMS, count)
    return {
        "DataList": [_item(rng, name, index) for index, name in enumerate(names)],
        "DateOfBirth": birth_date,
        "HealthIssuesUrl": "Clinical/HealthIssues",
        "HasUpdateSecurity": False,
        "HasStandAloneUpdateSecurity": False,
        "AlwaysShowSearchMore": False,
        "ShowDxrRefreshBanner": False,
        "ShowDxrBannerAction": False,
        "LoadingOrgNames": [],
        "ErrorOrgNames": [],
        "ManualOrgNames": [],
        "PreTextStringKey": "",
    }
