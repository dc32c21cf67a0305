"""`fhirgate install-service`: run `fhirgate watch` for this home at login (systemd user unit or launchd)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from fhirgate.cli_app import app, err, fail, settings_from_env
from fhirgate.commands.watch import DEFAULT_EVERY
from fhirgate.service_files import ServiceFile, service_file, shown
from fhirgate.sync_schedule import parse_every


def _watch_command(every: str) -> list[str]:
    """How the service starts `fhirgate watch`: the installed script when on PATH, else this Python."""
    script = shutil.which("fhirgate")
    head = [script] if script else [sys.executable, "-m", "fhirgate"]
    return [*head, "watch", "--every", every]


@app.command("install-service")
def install_service(
    every: Annotated[str, typer.Option(help="How often the service syncs, e.g. 6h.")] = DEFAULT_EVERY,
    uninstall: Annotated[bool, typer.Option("--uninstall", help="Remove the service file instead.")] = False,
    enable: Annotated[bool, typer.Option("--enable", help="Also run the enable (or disable) command.")] = False,
) -> None:
    """Write a user-level service (systemd on Linux, launchd on macOS) that runs `fhirgate watch` for this
    home at login; prints the command that starts it unless --enable is given."""
    settings = settings_from_env(bound_to_home=False)
    try:
        parse_every(every)
        service = service_file(sys.platform, _watch_command(every), settings.home, os.environ, Path.home())
    except ValueError as exc:
        raise fail(str(exc)) from None
    if uninstall:
        _uninstall(service, enable=enable)
        return
    service.path.parent.mkdir(parents=True, exist_ok=True)
    service.path.write_text(service.text, encoding="utf-8")
    err.print(f"wrote {service.path}", highlight=False, markup=False, soft_wrap=True)
    _run_or_show(service.enable, enable=enable, what="start it now and at each login")


def _uninstall(service: ServiceFile, *, enable: bool) -> None:
    if not service.path.exists():
        err.print(f"no service file at {service.path}", highlight=False, markup=False, soft_wrap=True)
        return
    _run_or_show(service.disable, enable=enable, what="stop it")
    service.path.unlink()
    err.print(f"removed {service.path}", highlight=False, markup=False, soft_wrap=True)


def _run_or_show(command: tuple[str, ...], *, enable: bool, what: str) -> None:
    if not enable:
        err.print(f"to {what}, run: {shown(command)}", highlight=False, markup=False, soft_wrap=True)
        return
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    if done.returncode != 0:
        raise fail(f"`{shown(command)}` failed (exit {done.returncode})")
    err.print(f"ran: {shown(command)}", highlight=False, markup=False, soft_wrap=True)
