"""`fhirgate wipe`: remove every local trace (store, cookies, browser profile, tokens, secrets)."""

from __future__ import annotations

from typing import Annotated

import typer

from fhirgate.cli_app import app, err, settings_from_env
from fhirgate.secrets import SecretStore
from fhirgate.wipe import wipe_home


@app.command()
def wipe(
    all_: Annotated[bool, typer.Option("--all", help="Also delete the audit log.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the local store, browser profile, session cookies, tokens and secrets of this home."""
    settings = settings_from_env(bound_to_home=False)  # a mismatched or damaged home.json must not block a wipe
    secrets = SecretStore.for_settings(settings)
    what = "everything, including the audit log" if all_ else "everything except the audit log"
    if not yes and not typer.confirm(f"Delete {what} under {settings.home} and its keychain entries?", err=True):
        err.print("Nothing deleted.")
        raise typer.Exit(1)
    report = wipe_home(settings, secrets, include_audit_log=all_)
    for path in report.removed_paths:
        err.print(f"removed {path}")
    for name in report.removed_secrets:
        err.print(f"removed secret {name} ({secrets.description})")
    for path in report.kept:
        err.print(f"kept {path} (use --all to delete it)")
    for problem in report.problems:
        err.print(f"[yellow]warning:[/yellow] {problem}", highlight=False, soft_wrap=True)
    err.print("Done.")
