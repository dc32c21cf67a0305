"""`fhirgate demo`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from fhirgate.cli_app import app, run_async, settings_from_env


@app.command()
def demo(
    once: Annotated[bool, typer.Option("--once", help="Exit after the MCP answer instead of serving.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic patient.")] = 1,
) -> None:
    """Run everything against the bundled sandbox kp.org: login, sync, facade, one MCP question."""
    from fhirgate.demo import DemoOptions, run_demo

    run_async(lambda: run_demo(settings_from_env(), DemoOptions(once=once, seed=seed), Console()))
