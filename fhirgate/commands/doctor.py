"""`fhirgate doctor`: check the installation and the sources, explaining each fix."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from fhirgate.cli_app import app, settings_from_env
from fhirgate.doctor_checks import all_checks
from fhirgate.secrets import SecretStore


@app.command()
def doctor() -> None:
    """Check Chromium, the keychain, file permissions, the store, the facade port and the Kaiser session."""
    settings = settings_from_env()
    results = [check() for check in all_checks(settings, SecretStore.for_settings(settings))]
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
