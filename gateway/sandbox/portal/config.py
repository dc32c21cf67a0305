"""How a sandbox portal instance is set up: its patient, its phone, client-app keys and fault switches.

Both dataclasses are read at request time, so a test or the demo may flip a fault switch on a
running portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.sandbox.patient import SyntheticPatient
from gateway.sandbox.sms import SmsOutbox

__all__ = ["FaultSwitches", "PortalConfig"]


@dataclass
class FaultSwitches:
    """Misbehaviours the portal can be told to show."""

    malformed_detail_keys: set[str] = field(default_factory=set)
    """GetDetails for these order keys answers 200 with truncated, unparseable JSON."""
    expire_all_sessions: bool = False
    """Every session is treated as idle-expired."""


@dataclass
class PortalConfig:
    patient: SyntheticPatient
    sms_outbox: SmsOutbox
    api_key: str = "sandbox-mycare-api-key"
    """Expected ``X-apiKey`` on ``/mycare/v1.0/*``."""
    pharmacy_client_id: str = "sandbox-pharmacy-client-id"
    """Expected ``X-IBM-client-Id`` on the pharmacy BFF."""
    session_idle_seconds: float = 1200.0
    faults: FaultSwitches = field(default_factory=FaultSwitches)
