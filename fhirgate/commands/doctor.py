"""`fhirgate doctor`: check the installation and the sources, explaining each fix."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from fhirgate.cli_app import app, settings_from_env
from fhirgate.doctor_checks import all_checks
from fhirgate.home_reach import SANDBOX_NOT_RUNNING, HomeReach
from fhirgate.secrets import SecretStore


@app.command()
def doctor() -> None:
    """Check Chromium, the keychain, permissions, the store, the facade port, the Kaiser session, each
    practice's tokens and Claude Desktop's config."""
    from fhirgate.doctor_sources import check_claude_desktop, check_practice_tokens
    from mcp_server.transport.claude_desktop import config_path

    settings = settings_from_env()
    secrets = SecretStore.for_settings(settings)
    results = [check() for check in all_checks(settings, secrets)]
    sandbox_down = HomeReach.for_settings(settings).general_refusal() == SANDBOX_NOT_RUNNING
    results += check_practice_tokens(settings, secrets, sandbox_down=sandbox_down)
    results.append(check_claude_desktop(config_path(), _this_executable(), settings.home))
    table = Table(title=f"fhirgate doctor ({settings.home})")
    for column in ("check", "status", "found", "fix"):
        table.add_column(column)
    for result in results:
        status = "[green]ok[/green]" if result.ok and not result.warning else "[yellow]note[/yellow]"
        if not result.ok:
            status = "[red]broken[/red]"
        table.add_row(result.name, status, result.detail, result.fix)
    Console().print(table)
    if not all(result.ok for result in results):
        raise typer.Exit(1)


def _this_executable() -> str:
    """The `fhirgate` script running now (what Claude Desktop's config should launch)."""
    launched = Path(sys.argv[0])
    if launched.name.startswith("fhirgate") and launched.is_file():
        return str(launched.absolute())
    return str(Path(sys.executable).parent / "fhirgate")
