"""How a sandbox portal instance is set up: its patient, its phone, client-app keys and fault switches.

Both dataclasses are read at request time, so a test or the demo may flip a fault switch on a
running portal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sandbox.patient import SyntheticPatient
from sandbox.portal.write_ledger import WriteLedger
from sandbox.sms import SmsOutbox

__all__ = ["EXPIRY_STYLES", "ExpiryStyle", "FaultCounters", "FaultSwitches", "PortalConfig"]


ExpiryStyle = Literal["identity", "sign-in", "html", "401", "403"]
EXPIRY_STYLES: tuple[str, ...] = ("identity", "sign-in", "html", "401", "403")


@dataclass
class FaultCounters:
    """What the fault middleware has counted so far; fresh with every new ``FaultSwitches``."""

    data_requests: int = 0
    burst_served: int = 0
    dead_sessions: set[str] = field(default_factory=set)


@dataclass
class FaultSwitches:
    """Misbehaviours the portal can be told to show (all off by default).

    "Data requests" are every request except the sign-in chain, the landing page and keepalive; the
    ``*_every``/``*_after`` counts run over them. Path selectors match a substring of the URL path
    (``"GetDetails"``, ``"rxDetails"``), so a switch can target one surface.
    """

    malformed_detail_keys: set[str] = field(default_factory=set)
    """GetDetails for these order keys answers 200 with truncated, unparseable JSON."""
    expire_all_sessions: bool = False
    """Every session is treated as idle-expired."""
    expire_after_requests: int | None = None
    """The session behind the N-th data request (and every later request on it) is dead."""
    expiry_style: ExpiryStyle = "identity"
    """How a dead session shows: 302 to the identity host, 302 to the sign-in page, HTML 200, 401 or 403."""
    latency_seconds: float = 0.0
    """Added before every data request is answered."""
    rate_limit_every: int | None = None
    """Every N-th data request answers 429 with ``Retry-After``."""
    retry_after_seconds: float = 1.0
    burst_status: int = 503
    burst_count: int = 0
    """After ``burst_after`` data requests, the next ``burst_count`` answer ``burst_status``, then recover."""
    burst_after: int = 0
    burst_path: str = ""
    """Only data requests whose path contains this take part in the burst (empty: all)."""
    truncated_json: set[str] = field(default_factory=set)
    """JSON answers on matching paths are cut in half."""
    schema_drift: tuple[str, str, str | None] | None = None
    """``(path part, field, new name or None)``: that JSON field is renamed, or dropped when None."""
    error_code: tuple[str, int] | None = None
    """``(path part, N)``: matching requests answer 200 ``{"error": N}`` (Epic's in-band failure)."""
    write_fail_at: str | None = None
    """This write step (one of ``WRITE_STEPS``) answers 200 with a failure code: a chain failing halfway."""
    csrf_max_age: float | None = None
    """Anti-forgery tokens older than this many seconds bounce to FiveHundred (the real lifetime is unknown)."""
    counters: FaultCounters = field(default_factory=FaultCounters, repr=False, compare=False)


@dataclass
class PortalConfig:
    patient: SyntheticPatient
    sms_outbox: SmsOutbox
    api_key: str = "sandbox-mycare-api-key"
    """Expected ``X-apiKey`` on ``/mycare/v1.0/*``."""
    pharmacy_client_id: str = "sandbox-pharmacy-client-id"
    """Expected ``X-IBM-client-Id`` on the pharmacy BFF."""
    session_idle_seconds: float = 1200.0
    pdf_generating_calls: int = 1
    """GetDocumentGenerationInfo answers "Generating" the first this many times an IMAGING order is asked."""
    faults: FaultSwitches = field(default_factory=FaultSwitches)
    writes: WriteLedger = field(default_factory=WriteLedger)
    """What the write endpoints did (sent messages, placed orders) and a step to fail."""

    def write_fails(self, step: str) -> bool:
        """Whether write ``step`` is set to fail, by a test (``writes.fail_at``) or the ``write-fail`` switch."""
        return step in (self.writes.fail_at, self.faults.write_fail_at)
