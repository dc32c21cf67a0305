"""The `fhirgate` command line: each command's module is imported when the command is asked for
(fhirgate.command_table), so `fhirgate mcp` loads only what the MCP server needs."""

from __future__ import annotations

import os

from fhirgate.cli_app import app, err
from fhirgate.log_level import configure_logging
from fhirgate.private_umask import make_new_files_private
from fhirgate.secret_errors import SecretsUnusable

__all__ = ["app", "main"]


def main() -> None:
    make_new_files_private()
    configure_logging(os.environ)
    try:
        app()
    except SecretsUnusable as exc:  # from a command that does not run through `run_async`
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
