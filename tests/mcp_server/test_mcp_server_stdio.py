"""`run_stdio` serves real MCP over a subprocess's stdin/stdout, and keeps stdout clean."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp_types import TextContent

REPO = Path(__file__).resolve().parents[2]
SERVER = """
import asyncio, logging, httpx2
from fhir_client import FhirClient
from mcp_server import SourceRegistry, run_stdio

logging.basicConfig(level=logging.DEBUG)  # all of it must go to stderr, none to stdout
patient = {"resourceType": "Patient", "id": "p1", "gender": "female"}
transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json=patient))
client = FhirClient("http://kaiser.test/fhir", bearer_token="t", transport=transport)
asyncio.run(run_stdio(SourceRegistry({"kaiser": client})))
"""


async def test_run_stdio_answers_tool_calls_over_a_subprocess() -> None:
    params = StdioServerParameters(command=sys.executable, args=["-c", SERVER], cwd=REPO)
    async with Client(params) as client:
        tools = await client.list_tools()
        result = await client.call_tool("fhir_get", {"source": "kaiser", "resource_type": "Patient", "id": "p1"})
    assert {"fhir_get", "fhir_search", "search_observation", "lab_trend"} <= {tool.name for tool in tools.tools}
    assert not result.is_error
    block = result.content[0]
    assert isinstance(block, TextContent)
    assert '"gender":"female"' in block.text
