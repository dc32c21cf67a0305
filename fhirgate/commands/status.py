"""`fhirgate status`: where data and secrets live, and each surface's freshness."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console

from fhirgate.cli_app import app, settings_from_env
from fhirgate.secrets import SecretStore


@app.command()
def status() -> None:
    """Where data and secrets live, and each surface's last sync."""
    from rich.table import Table

    from gateway.store import SqliteStore

    settings = settings_from_env()
    secrets = SecretStore.for_settings(settings)
    console = Console()
    console.print(f"home:    {settings.home}")
    console.print(f"secrets: {secrets.description}")
    signed_in = "yes" if secrets.get("kaiser-session") else "no (run `fhirgate login kaiser`)"
    console.print(f"kaiser session stored: {signed_in}")
    if not settings.store_path.exists():
        console.print("store:   not created yet (run `fhirgate sync`)")
        return
    store = SqliteStore.open(settings.store_path)
    try:
        table = Table(title=f"store {settings.store_path}")
        for column in ("surface", "last success", "last attempt", "last error", "problems"):
            table.add_column(column)
        for state in store.surface_states():
            table.add_row(
                state.surface,
                _when(state.last_success),
                _when(state.last_attempt),
                state.last_error or "",
                str(len(state.problems)),
            )
        console.print(table)
    finally:
        store.close()


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"
