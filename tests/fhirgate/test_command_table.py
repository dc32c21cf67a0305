"""`fhirgate` imports a command's module only when that command is asked for, and `--help` still lists
every command the command modules register."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

from typer.testing import CliRunner

import fhirgate.commands
from fhirgate.cli import app
from fhirgate.command_table import COMMAND_MODULES


def test_the_table_names_every_command_every_module_registers() -> None:
    modules = sorted(f"fhirgate.commands.{m.name}" for m in pkgutil.iter_modules(fhirgate.commands.__path__))
    assert sorted(set(COMMAND_MODULES.values())) == modules
    for module in modules:
        __import__(module)
    registered = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    registered |= {g.name or "" for g in app.registered_groups}
    assert registered == set(COMMAND_MODULES)


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    listed = [line.split()[1] for line in result.output.splitlines() if line.startswith("│ ") and len(line.split()) > 2]
    assert [name for name in listed if name in COMMAND_MODULES] == list(COMMAND_MODULES)


def test_asking_for_mcp_imports_no_other_command() -> None:
    probe = (
        "import sys, typer.main, typer.testing\n"
        "from fhirgate.cli import app\n"
        "group = typer.main.get_command(app)\n"
        "assert group.get_command(typer.Context(group), 'mcp') is not None\n"
        "print(sorted(m for m in sys.modules if m.startswith('fhirgate.commands.')))\n"
        "print('fhirgate.doctor_checks' in sys.modules, 'uvicorn' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    assert done.stdout.splitlines() == ["['fhirgate.commands.mcp', 'fhirgate.commands.serve']", "False False"]


def test_a_command_runs_through_the_lazy_group() -> None:
    result = CliRunner().invoke(app, ["mcp", "--help"])
    assert result.exit_code == 0 and "Run the MCP server on stdio" in result.output, result.output


def test_a_mistyped_command_is_still_told_the_nearest_one() -> None:
    # In a fresh process, where no command module is loaded yet.
    environ = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "fhirgate", "stauts"], capture_output=True, text=True, env=environ)
    assert done.returncode == 2 and "Did you mean 'status'?" in done.stderr, done.stderr
