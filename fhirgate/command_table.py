"""Which module registers each `fhirgate` command, and the click group that imports a command's module
only when that command is asked for.

`fhirgate mcp` is launched by a client that waits for `tools/list`: it must not pay for importing every
other command (doctor's checks, serve's web server, rich tables). `fhirgate --help` still lists every
command (listing them imports all), and a test that imports a command module directly registers it as before.
"""

from __future__ import annotations

import importlib

import typer.main
from typer._click.core import Command, Context  # typer's own (vendored) click, which TyperGroup extends
from typer.core import TyperGroup

__all__ = ["COMMAND_MODULES", "LazyCommandGroup"]

# In the order `fhirgate --help` lists them.
COMMAND_MODULES: dict[str, str] = {
    "connect": "fhirgate.commands.connect",
    "sources": "fhirgate.commands.connect",
    "disconnect": "fhirgate.commands.connect",
    "demo": "fhirgate.commands.demo",
    "doctor": "fhirgate.commands.doctor",
    "login": "fhirgate.commands.login",
    "serve": "fhirgate.commands.serve",
    "token": "fhirgate.commands.serve",
    "mcp": "fhirgate.commands.mcp",
    "status": "fhirgate.commands.status",
    "sync": "fhirgate.commands.sync",
    "wipe": "fhirgate.commands.wipe",
    "export": "fhirgate.commands.export",
    "open": "fhirgate.commands.open",
    "push": "fhirgate.commands.push",
    "watch": "fhirgate.commands.watch",
    "install-service": "fhirgate.commands.service",
    "apps": "fhirgate.commands.apps",
    "keys": "fhirgate.commands.connect",
    "practices": "fhirgate.commands.practices",
    "sandbox": "fhirgate.commands.sandbox",
}


class LazyCommandGroup(TyperGroup):
    """The `fhirgate` group: every command of `COMMAND_MODULES` is listed; its module (which registers it on
    the typer app) is imported the first time the command is looked up (all of them for an unknown name)."""

    def list_commands(self, ctx: Context) -> list[str]:
        return [*COMMAND_MODULES, *(name for name in super().list_commands(ctx) if name not in COMMAND_MODULES)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in self.commands:
            # An unknown name loads every command, so that the error can suggest the nearest one.
            known = COMMAND_MODULES.get(cmd_name)
            for module in [known] if known else dict.fromkeys(COMMAND_MODULES.values()):
                importlib.import_module(module)
            from fhirgate.cli_app import app

            built = typer.main.get_command(app)
            if isinstance(built, TyperGroup):
                self.commands.update(built.commands)
        return super().get_command(ctx, cmd_name)
