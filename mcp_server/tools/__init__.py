"""The MCP tools, one module per tool family, and what every tool shares (context, errors)."""
