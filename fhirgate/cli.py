"""The `fhirgate` command line: importing the command modules registers them on the app."""

from __future__ import annotations

import os

from fhirgate.cli_app import app, err
from fhirgate.commands import apps as apps_command  # noqa: F401 - registers `fhirgate apps`
from fhirgate.commands import connect as connect_command  # noqa: F401 - registers connect, sources, disconnect, keys
from fhirgate.commands import demo, doctor, login, mcp, serve, status, sync, wipe
from fhirgate.commands import export as export_command  # noqa: F401 - registers `fhirgate export`
from fhirgate.commands import open as open_command  # noqa: F401 - registers `fhirgate open`
from fhirgate.commands import practices as practices_command  # noqa: F401 - registers `fhirgate practices`
from fhirgate.commands import push as push_command  # noqa: F401 - registers `fhirgate push`
from fhirgate.commands import sandbox as sandbox_command  # noqa: F401 - registers `fhirgate sandbox`
from fhirgate.commands import service as service_command  # noqa: F401 - registers `fhirgate install-service`
from fhirgate.commands import watch as watch_command  # noqa: F401 - registers `fhirgate watch`
from fhirgate.log_level import configure_logging
from fhirgate.private_umask import make_new_files_private
from fhirgate.secret_errors import SecretsUnusable

COMMAND_MODULES = (demo, login, sync, serve, mcp, status, doctor, wipe)

__all__ = ["app", "main"]


def main() -> None:
    make_new_files_private()
    configure_logging(os.environ)
    try:
        app()
    except SecretsUnusable as exc:  # from a command that does not run through `run_async`
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
