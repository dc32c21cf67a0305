"""What the server says about itself at `initialize`: its version, and only the capabilities it serves.

The SDK's `MCPServer` answers `prompts/*` and `resources/*` even with none registered, and so
advertises both; fhirgate has neither, so those handlers are dropped and a client does not spend
requests (or a model's context) on empty lists.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from mcp.server.mcpserver import MCPServer

__all__ = ["UNSERVED_METHODS", "drop_unserved_capabilities", "package_version"]

UNSERVED_METHODS = (
    "prompts/list",
    "prompts/get",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "resources/subscribe",
    "resources/unsubscribe",
)


def package_version() -> str:
    """fhirgate's installed version (`serverInfo.version`)."""
    try:
        return version("fhirgate")
    except PackageNotFoundError:
        return "0+unknown"


def drop_unserved_capabilities(server: MCPServer) -> None:
    """Stop answering (and advertising) prompts and resources when `server` registered none."""
    lowlevel = server._lowlevel_server  # the SDK offers no public way to unregister a method
    handlers = lowlevel._request_handlers
    for method in UNSERVED_METHODS:
        handlers.pop(method, None)
