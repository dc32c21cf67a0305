"""The typer app every command module registers on, and how commands report failure:
one line on stderr and exit code 1, never a traceback."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

from fhirgate.command_table import LazyCommandGroup
from fhirgate.settings import Settings

if TYPE_CHECKING:
    from gateway.store import SqliteStore

app = typer.Typer(
    cls=LazyCommandGroup,
    help="fhirgate: your Kaiser record and your other doctors' FHIR servers, as one local FHIR gateway.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _commands() -> None:
    """Always a group of commands, whichever command modules are imported yet (see fhirgate.command_table)."""


err = Console(stderr=True)
T = TypeVar("T")


class UserFacingError(Exception):
    """An error whose message is the whole story for the user."""


def settings_from_env(*, bound_to_home: bool = True) -> Settings:
    """Settings from the environment, bound to what the home's manifest records (see fhirgate.home_manifest);
    ``bound_to_home`` False for a command that must work whatever the manifest says (`wipe`)."""
    from fhirgate.home_manifest import HomeMismatch, home_settings

    if not bound_to_home:
        return Settings.from_environ(os.environ)
    try:
        return home_settings(Settings.from_environ(os.environ), os.environ)
    except HomeMismatch as exc:
        raise fail(str(exc)) from None


def fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def open_store(path: Path) -> SqliteStore:
    """The local store; a damaged one (replaced, truncated) is one line pointing at `fhirgate doctor`, exit 1."""
    from gateway.store import SqliteStore, StoreDamagedError

    try:
        return SqliteStore.open(path)
    except StoreDamagedError as exc:
        raise fail(str(exc)) from None


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run async work; known failures become one line and exit code 1."""
    from fhirgate.demo import DemoFailed
    from fhirgate.home_manifest import HomeMismatch
    from fhirgate.secret_errors import SecretsUnusable
    from gateway.kaiser.errors import KaiserError

    try:
        return asyncio.run(work())
    except KeyboardInterrupt:
        err.print("stopped")
        raise typer.Exit(130) from None
    except (KaiserError, UserFacingError, DemoFailed, HomeMismatch, SecretsUnusable) as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # last resort: one line, never a traceback
        if os.environ.get("FHIRGATE_DEBUG"):
            raise
        raise fail(f"unexpected {type(exc).__name__}; run with FHIRGATE_DEBUG=1 for details") from None
