"""The fhirgate MCP server: record sources, the FHIR-native read tools, and rendering for the model."""

from mcp_server.approval_desk import ApprovalDesk, ApprovalState
from mcp_server.cursor import CursorSigner, InvalidCursorError
from mcp_server.practice_connect import PendingConnection, PracticeConnector
from mcp_server.server import build_server
from mcp_server.sources import RecordSource, SourceRegistry, SourceStatus, UnknownSourceError
from mcp_server.stdio import run_stdio
from mcp_server.tools import FhirTools

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
