"""The fhirgate MCP server: record sources, the `fhir_get`/`fhir_search` tools, and rendering for the model."""

from mcp_server.cursor import InvalidCursorError, decode_cursor, encode_cursor
from mcp_server.server import build_server
from mcp_server.sources import SourceRegistry, UnknownSourceError
from mcp_server.stdio import run_stdio
from mcp_server.tools import FhirTools

__all__ = [
    "FhirTools",
    "InvalidCursorError",
    "SourceRegistry",
    "UnknownSourceError",
    "build_server",
    "decode_cursor",
    "encode_cursor",
    "run_stdio",
]
