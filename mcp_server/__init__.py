"""The fhirgate MCP server: record sources, the FHIR-native read tools, and rendering for the model."""

from mcp_server.answers.cursor import CursorSigner, InvalidCursorError
from mcp_server.approvals.desk import ApprovalDesk, ApprovalState
from mcp_server.approvals.practice_connect import PendingConnection, PracticeConnector
from mcp_server.server import build_server
from mcp_server.sources.registry import RecordSource, SourceRegistry, SourceStatus, UnknownSourceError
from mcp_server.tools.fhir_read import FhirTools
from mcp_server.transport.stdio import run_stdio

__all__ = [
    "ApprovalDesk",
    "ApprovalState",
    "CursorSigner",
    "FhirTools",
    "InvalidCursorError",
    "PendingConnection",
    "PracticeConnector",
    "RecordSource",
    "SourceRegistry",
    "SourceStatus",
    "UnknownSourceError",
    "build_server",
    "run_stdio",
]
