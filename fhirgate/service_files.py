"""The user-level service that runs `fhirgate watch` for one home at login: a systemd user unit on Linux,
a launchd agent on macOS. Only the text and the paths here; `fhirgate install-service` writes them."""

from __future__ import annotations

import plistlib
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LAUNCHD_LABEL", "SYSTEMD_UNIT", "ServiceFile", "launchd_agent", "service_file", "systemd_unit"]

SYSTEMD_UNIT = "fhirgate-watch.service"
LAUNCHD_LABEL = "org.fhirgate.watch"


@dataclass(frozen=True)
class ServiceFile:
    path: Path
    text: str
    enable: tuple[str, ...]
    """The command that starts it now and at each login."""
    disable: tuple[str, ...]


def _systemd_quote(word: str, *, expands_variables: bool = True) -> str:
    """A word for ExecStart (which expands ``$``) or Environment: double-quoted, with systemd's specifiers
    and escapes kept literal."""
    quoted = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return '"' + (quoted.replace("$", "$$") if expands_variables else quoted) + '"'


def systemd_unit(command: Sequence[str], home: Path, config_home: Path) -> ServiceFile:
    exec_start = " ".join(_systemd_quote(word) for word in command)
    text = (
        "[Unit]\n"
        "Description=fhirgate: keep the Kaiser record fresh (fhirgate watch)\n"
        "After=network-online.target\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={exec_start}\n"
        f"Environment={_systemd_quote('FHIRGATE_HOME=' + str(home), expands_variables=False)}\n"
        "Restart=on-failure\n"
        "RestartSec=60\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    )
    path = config_home / "systemd" / "user" / SYSTEMD_UNIT
    return ServiceFile(
        path,
        text,
        ("systemctl", "--user", "enable", "--now", SYSTEMD_UNIT),
        ("systemctl", "--user", "disable", "--now", SYSTEMD_UNIT),
    )


def launchd_agent(command: Sequence[str], home: Path, user_home: Path) -> ServiceFile:
    agent = {
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(command),
        "EnvironmentVariables": {"FHIRGATE_HOME": str(home)},
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Background",
    }
    path = user_home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
    text = plistlib.dumps(agent).decode()
    return ServiceFile(path, text, ("launchctl", "load", "-w", str(path)), ("launchctl", "unload", "-w", str(path)))


def service_file(
    platform: str, command: Sequence[str], home: Path, environ: Mapping[str, str], user_home: Path
) -> ServiceFile:
    """The service for ``platform`` (``sys.platform``); ValueError where neither systemd nor launchd is."""
    if platform == "darwin":
        return launchd_agent(command, home, user_home)
    if platform.startswith("linux"):
        config_home = Path(environ["XDG_CONFIG_HOME"]) if environ.get("XDG_CONFIG_HOME") else user_home / ".config"
        return systemd_unit(command, home, config_home)
    raise ValueError(f"no user service manager known for {platform!r}: run `fhirgate watch` yourself")


def shown(command: Sequence[str]) -> str:
    return shlex.join(command)
