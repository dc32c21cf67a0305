"""The cold-start baseline: a bare mcp `MCPServer` with one tool, on stdio (spawned by bench_mcp)."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back."""
    return text


if __name__ == "__main__":
    server.run("stdio")
