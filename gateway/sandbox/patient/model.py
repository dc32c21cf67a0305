"""The synthetic patient as the portal serves it: one raw JSON document per surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["LabOrder", "SyntheticPatient"]


@dataclass(frozen=True)
class LabOrder:
    """One test-results order in the three shapes the portal returns it in."""

    list_entry: dict[str, Any]
    """Value of GetList's ``newResults["<key>^"]`` (its own ``key`` has no caret)."""
    group: dict[str, Any]
    """Its ``newResultGroups`` element (shared by orders collected together)."""
    detail: dict[str, Any]
    """Full GetDetails response for this order."""

    @property
    def key(self) -> str:
        """The opaque order key."""
        return str(self.list_entry["key"])


@dataclass(frozen=True)
class SyntheticPatient:
    """Everything the sandbox portal knows about its one patient."""

    username: str
    password: str
    phone_last4: str
    """The phone the MFA codes are texted to."""
    profile: dict[str, Any]
    """Full ``/mycare/v1.0/user`` response, with the ``UserAccountData`` wrapper."""
    lab_orders: tuple[LabOrder, ...]
    rx_details: dict[str, Any]
    """Full ``rxDetails`` response."""
