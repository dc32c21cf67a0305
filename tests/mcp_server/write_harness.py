"""The Kaiser source with guarded writes over the sandbox portal, and the home's approvals, for the MCP
write-tool tests (elicitation and web approval)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2

from fhir_client import FhirClient
from fhirgate.approval_wiring import HomeApprovalDesk
from gateway.facade import FacadeSettings, create_facade_app
from gateway.kaiser.portal_client import PortalClient
from gateway.store import SqliteStore
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.decisions import ApprovalDecisions
from gateway.writes.fhir_routes import write_extension
from gateway.writes.operations import WriteOperations
from tests.writes.conftest import SignedInPortal
from translators.medications import translate_rx_details
from translators.types import TranslationContext

TOKEN = "mcp-write-test-token"


@dataclass
class WriteHarness:
    fhir: FhirClient
    store: SqliteStore
    operations: WriteOperations
    decisions: ApprovalDecisions
    desk: HomeApprovalDesk
    audit: AuditLog

    def phases(self) -> list[str]:
        """The audit's phases after the previews (each elicitation round previews again, read-only)."""
        return [str(event["phase"]) for event in self.audit.events() if event["phase"] != "preview"]


def write_harness(signed_in: SignedInPortal, tmp_path: Path, *, web_base: str | None = None) -> WriteHarness:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    translated = translate_rx_details(signed_in.config.patient.rx_details, TranslationContext(patient_id="p1"))
    store.write_surface("medications", translated.resources, now=datetime(2026, 11, 23, tzinfo=UTC))

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        yield signed_in.client

    audit = AuditLog(tmp_path / "audit.log")
    ops = WriteOperations(clients, ConfirmationGuard(b"m" * 32, tmp_path / "used"), audit)
    app = create_facade_app(store, FacadeSettings(token=TOKEN, extensions=(write_extension(store, ops),)))
    client = FhirClient("http://127.0.0.1/fhir", bearer_token=TOKEN, transport=httpx2.ASGITransport(app=app))
    decisions = ApprovalDecisions(ApprovalStore(tmp_path / "approvals.sqlite3"), audit, writes=ops)
    desk = HomeApprovalDesk(decisions, lambda: web_base)
    return WriteHarness(client, store, ops, decisions, desk, audit)


def mailable_medication_request_id(signed_in: SignedInPortal) -> str:
    """The id of a MedicationRequest the sandbox pharmacy will refill by mail."""
    rx_numbers = {
        str(rx["afcInfo"]["rxnbr"])
        for rx in signed_in.config.patient.rx_details["prescriptions"]["fillable"]
        if rx["mailable"] == "true" and int(rx["refillsRemaining"]) > 0
    }
    translated = translate_rx_details(signed_in.config.patient.rx_details, TranslationContext(patient_id="p1"))
    for resource in translated.resources:
        if resource.get("resourceType") != "MedicationRequest":
            continue
        for identifier in resource.get("identifier") or []:
            if identifier.get("value") in rx_numbers and str(identifier.get("system", "")).endswith(":rx-number"):
                return str(resource["id"])
    raise AssertionError("no mailable MedicationRequest")
