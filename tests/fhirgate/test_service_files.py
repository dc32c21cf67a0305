"""`fhirgate install-service`: the systemd user unit and the launchd agent it writes, validated as files."""

from __future__ import annotations

import configparser
import plistlib
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fhirgate.cli import app
from fhirgate.service_files import LAUNCHD_LABEL, launchd_agent, service_file, systemd_unit

COMMAND = ["/opt/fhir gate/bin/fhirgate", "watch", "--every", "6h"]


def test_the_systemd_unit_runs_watch_for_this_home(tmp_path: Path) -> None:
    home = tmp_path / "my home %h $HOME"
    unit = systemd_unit(COMMAND, home, tmp_path / "config")
    assert unit.path == tmp_path / "config" / "systemd" / "user" / "fhirgate-watch.service"
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.optionxform = str  # type: ignore[assignment,method-assign]
    parsed.read_string(unit.text)
    exec_start = parsed["Service"]["ExecStart"]
    unescaped = [w.replace("%%", "%").replace("$$", "$") for w in shlex.split(exec_start)]
    assert unescaped == COMMAND
    (environment,) = shlex.split(parsed["Service"]["Environment"])
    assert environment.replace("%%", "%") == f"FHIRGATE_HOME={home}"
    assert parsed["Install"]["WantedBy"] == "default.target"
    assert unit.enable == ("systemctl", "--user", "enable", "--now", "fhirgate-watch.service")


def test_systemd_analyze_accepts_the_unit_where_it_exists(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    unit = systemd_unit(["/bin/true", "watch", "--every", "6h"], tmp_path / "a home %h $HOME", tmp_path)
    unit.path.parent.mkdir(parents=True)
    unit.path.write_text(unit.text)
    if analyze is None:  # not required: the INI checks above hold everywhere
        assert unit.path.read_text().count("ExecStart=") == 1
        return
    done = subprocess.run(  # noqa: S603 - the system's systemd-analyze on a file this test wrote
        [analyze, "verify", str(unit.path)], capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr


def test_the_launchd_agent_runs_watch_for_this_home(tmp_path: Path) -> None:
    agent = launchd_agent(COMMAND, tmp_path / "home", tmp_path)
    assert agent.path == tmp_path / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    parsed = plistlib.loads(agent.text.encode())
    assert parsed["ProgramArguments"] == COMMAND and parsed["Label"] == LAUNCHD_LABEL
    assert parsed["EnvironmentVariables"] == {"FHIRGATE_HOME": str(tmp_path / "home")} and parsed["RunAtLoad"]
    assert agent.enable == ("launchctl", "load", "-w", str(agent.path))


def test_the_platform_picks_the_file_and_xdg_config_home_is_honoured(tmp_path: Path) -> None:
    linux = service_file("linux", COMMAND, tmp_path, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")}, tmp_path / "u")
    assert linux.path == tmp_path / "xdg" / "systemd" / "user" / "fhirgate-watch.service"
    assert service_file("linux", COMMAND, tmp_path, {}, tmp_path / "u").path.is_relative_to(tmp_path / "u" / ".config")
    assert service_file("darwin", COMMAND, tmp_path, {}, tmp_path / "u").path.suffix == ".plist"
    with pytest.raises(ValueError, match="fhirgate watch"):
        service_file("win32", COMMAND, tmp_path, {}, tmp_path / "u")


def test_install_service_writes_prints_the_enable_command_and_uninstall_removes(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "user"), "XDG_CONFIG_HOME": str(tmp_path / "xdg"), "FHIRGATE_HOME": str(tmp_path)}
    runner = CliRunner()
    installed = runner.invoke(app, ["install-service", "--every", "2h"], env=env)
    assert installed.exit_code == 0, installed.output
    unit = tmp_path / "xdg" / "systemd" / "user" / "fhirgate-watch.service"
    assert "systemctl --user enable --now fhirgate-watch.service" in installed.output
    text = unit.read_text()
    assert '"watch" "--every" "2h"' in text and f'Environment="FHIRGATE_HOME={tmp_path}"' in text
    removed = runner.invoke(app, ["install-service", "--uninstall"], env=env)
    assert removed.exit_code == 0, removed.output
    assert not unit.exists() and "systemctl --user disable --now" in removed.output


def test_install_service_refuses_a_bad_interval(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "FHIRGATE_HOME": str(tmp_path)}
    refused = CliRunner().invoke(app, ["install-service", "--every", "often"], env=env)
    assert refused.exit_code == 1 and "not a duration" in refused.output
    assert not (tmp_path / "xdg").exists()
