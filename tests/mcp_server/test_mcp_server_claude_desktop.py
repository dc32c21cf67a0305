"""Claude Desktop config: per-OS paths, merging into an existing file, `fhirgate mcp --install-claude-desktop`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fhirgate.cli import app
from mcp_server.transport.claude_desktop import config_block, config_path, install_config


def test_config_paths_per_platform(tmp_path: Path) -> None:
    assert (
        config_path("darwin", {}, tmp_path)
        == tmp_path / "Library/Application Support/Claude/claude_desktop_config.json"
    )
    assert config_path("win32", {"APPDATA": str(tmp_path / "Roaming")}, tmp_path) == (
        tmp_path / "Roaming/Claude/claude_desktop_config.json"
    )
    assert config_path("linux", {}, tmp_path) == tmp_path / ".config/Claude/claude_desktop_config.json"
    assert config_path("linux", {"XDG_CONFIG_HOME": str(tmp_path / "x")}, tmp_path) == (
        tmp_path / "x/Claude/claude_desktop_config.json"
    )


def test_the_block_needs_an_absolute_executable() -> None:
    assert config_block("/opt/fhirgate/bin/fhirgate") == {
        "mcpServers": {"fhirgate": {"command": "/opt/fhirgate/bin/fhirgate", "args": ["mcp"]}}
    }
    with pytest.raises(ValueError, match="absolute"):
        config_block("fhirgate")


def test_installing_keeps_other_servers_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "Claude" / "claude_desktop_config.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"theme": "dark", "mcpServers": {"other": {"command": "/bin/other"}}}))
    install_config(path, config_block("/usr/bin/fhirgate", fhirgate_home="/home/u/.fhirgate-test"))
    written = json.loads(path.read_text())
    assert written == {
        "theme": "dark",
        "mcpServers": {
            "other": {"command": "/bin/other"},
            "fhirgate": {
                "command": "/usr/bin/fhirgate",
                "args": ["mcp"],
                "env": {"FHIRGATE_HOME": "/home/u/.fhirgate-test"},
            },
        },
    }


def test_the_cli_prints_the_block_with_an_absolute_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["mcp", "--install-claude-desktop", "--print"], env={"FHIRGATE_HOME": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    block = json.loads(result.output)
    entry = block["mcpServers"]["fhirgate"]
    assert Path(entry["command"]).is_absolute() and Path(entry["command"]).name.startswith("fhirgate")
    assert entry["args"] == ["mcp"]
    assert entry["env"] == {"FHIRGATE_HOME": str(tmp_path.resolve())}
