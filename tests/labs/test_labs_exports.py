"""The labs package's public surface is declared, sorted and complete, and it stays neutral: importing it
loads neither the web app nor the MCP server (both import it)."""

from __future__ import annotations

import subprocess
import sys
import types

import gateway.labs


def test_all_is_sorted_complete_and_importable() -> None:
    assert gateway.labs.__all__ == sorted(gateway.labs.__all__)
    public = {
        name
        for name, value in vars(gateway.labs).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(gateway.labs.__all__)


def test_importing_it_loads_neither_the_web_app_nor_the_mcp_server() -> None:
    probe = (
        "import sys, gateway.labs; print(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('mcp_server', 'fhirgate') or m.startswith('gateway.web')))"
    )
    command = [sys.executable, "-c", probe]
    loaded = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603 (our own probe)
    assert loaded.strip() == "[]"
