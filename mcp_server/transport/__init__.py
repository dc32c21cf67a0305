"""Serving the MCP server: stdio (as Claude Desktop launches it), loopback HTTP, and the Claude Desktop config."""
