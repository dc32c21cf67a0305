"""The Claude Desktop config block for fhirgate, and where Claude Desktop keeps its config per OS.

Installing merges our entry into `mcpServers` and keeps every other server and setting.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["config_block", "config_path", "install_config"]

SERVER_NAME = "fhirgate"
DEMO_SERVER_NAME = "fhirgate-demo"


def config_path(
    platform: str = sys.platform, environ: Mapping[str, str] = os.environ, home: Path | None = None
) -> Path:
    """`claude_desktop_config.json` for macOS, Windows or Linux."""
    home = home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if platform.startswith("win"):
        appdata = environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(appdata) / "Claude" / "claude_desktop_config.json"
    config_home = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return Path(config_home) / "Claude" / "claude_desktop_config.json"


def config_block(executable: str, *, fhirgate_home: str | None = None, demo: bool = False) -> dict[str, Any]:
    """`{"mcpServers": {"fhirgate": {...}}}` launching `executable mcp` (an absolute path); with ``demo``,
    `{"fhirgate-demo": ...}` launching `executable mcp --demo` (the sandboxes run inside it), so both can
    be installed side by side."""
    if not Path(executable).is_absolute():
        raise ValueError("the fhirgate executable path must be absolute (Claude Desktop has no shell PATH)")
    entry: dict[str, Any] = {"command": executable, "args": ["mcp", "--demo"] if demo else ["mcp"]}
    if fhirgate_home:
        entry["env"] = {"FHIRGATE_HOME": fhirgate_home}
    return {"mcpServers": {DEMO_SERVER_NAME if demo else SERVER_NAME: entry}}


def install_config(path: Path, block: Mapping[str, Any]) -> None:
    """Merge `block` into the config at `path` (created if missing), atomically."""
    current: dict[str, Any] = {}
    if path.exists():
        loaded = json.loads(path.read_text(encoding="utf-8") or "{}")
        if not isinstance(loaded, dict):
            raise ValueError(f"{path} does not hold a JSON object")
        current = loaded
    servers = current.get("mcpServers")
    merged_servers = dict(servers) if isinstance(servers, dict) else {}
    merged_servers.update(block["mcpServers"])
    current["mcpServers"] = merged_servers
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".claude_desktop_config.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(current, out, indent=2)
        out.write("\n")
    os.replace(temporary, path)
