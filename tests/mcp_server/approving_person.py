"""The person in the loop for tests: an elicitation callback that approves, and a home approval desk
whose approved practice connections start through the given connector."""

from __future__ import annotations

from pathlib import Path

from mcp.client.context import ClientRequestContext
from mcp_types import ElicitRequestParams, ElicitResult

from fhirgate.approval_wiring import HomeApprovalDesk
from fhirgate.practice_connector import connection_starter
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from mcp_server import PracticeConnector


async def person_approves(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"approve": True})


def connect_desk(tmp_path: Path, connector: PracticeConnector) -> HomeApprovalDesk:
    tmp_path.mkdir(parents=True, exist_ok=True)
    decisions = ApprovalDecisions(
        ApprovalStore(tmp_path / "approvals.sqlite3"),
        AuditLog(tmp_path / "audit.log"),
        connect=connection_starter(connector),
    )
    return HomeApprovalDesk(decisions, lambda: None)
