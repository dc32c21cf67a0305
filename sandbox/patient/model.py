"""The synthetic patient as the portal serves it: one raw JSON document per surface."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.patient.orders import UpcomingOrders
from sandbox.patient.visit_notes import VisitDocuments
from sandbox.patient.visits import VisitBook

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
    problem_list: dict[str, Any] = field(default_factory=dict)
    """Full ``Clinical/HealthIssues/LoadListData`` response."""
    allergy_list: dict[str, Any] = field(default_factory=dict)
    """Full ``Clinical/Allergies/LoadListData`` response."""
    visits: VisitBook = field(default_factory=lambda: VisitBook(upcoming={}, past=()))
    visit_documents: dict[str, VisitDocuments] = field(default_factory=dict)
    """Past-visit details, notes and AVS, keyed by CSN."""
    implants: dict[str, Any] = field(default_factory=dict)
    """Full ``api/implants/GetImplants`` response."""
    upcoming_orders: UpcomingOrders = field(default_factory=lambda: UpcomingOrders(feed={}, orders={}))
    relationships: dict[str, Any] = field(default_factory=dict)
    """Full ``Demographics/Relationships/GetRelationshipList`` response."""
    care_team: dict[str, Any] = field(default_factory=dict)
    """Full ``Clinical/CareTeam/Load`` response."""
    care_team_external: dict[str, Any] = field(default_factory=dict)
    """Full ``Clinical/CareTeam/LoadExternal`` response."""
    message_center: dict[str, Any] = field(default_factory=dict)
    """Threads (details shape, newest first) with folders, ``users``, ``viewers`` and attachment documents."""
    access_logs: dict[str, Any] = field(default_factory=dict)
    """Portal and third-party access-log entries, newest first."""
    refill_orders: tuple[dict[str, Any], ...] = ()
    """Mail-order refill history: one ``orderDetails`` document per order, oldest first."""
