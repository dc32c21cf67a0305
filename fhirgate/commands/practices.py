"""`fhirgate practices search NAME` and `fhirgate practices update`: eClinicalWorks practices by
name, from the home's cached copy of eCW's directory (fetched on first use, refreshed monthly)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from fhirgate.cli_app import UserFacingError, app, run_async, settings_from_env

if TYPE_CHECKING:
    from fhir_client import Practice

practices_app = typer.Typer(help="Find eClinicalWorks / healow practices by name.", no_args_is_help=True)
app.add_typer(practices_app, name="practices")


@practices_app.command("search")
def search(
    name: Annotated[str, typer.Argument(help='Words of the practice\'s name, e.g. "lee family medicine".')],
    city: Annotated[str | None, typer.Option(help="Only practices in this city.")] = None,
    state: Annotated[str | None, typer.Option(help="Only practices in this state, e.g. CA.")] = None,
) -> None:
    """Practices whose name holds every word given, with the code and address to connect with."""
    from fhir_client import FhirClientError
    from fhirgate.practice_finder import PracticeFinder, directory_for

    finder = PracticeFinder(directory_for(settings_from_env(), os.environ))

    async def work() -> list[Practice]:
        try:
            return await finder.find(name, city=city, state=state)
        except FhirClientError as exc:
            raise UserFacingError(str(exc)) from None

    found = run_async(work)
    if not found:
        Console().print(f"no practice matches {name!r}; try fewer words, or `fhirgate practices update`")
        return
    table = Table(title=f"practices matching {name!r}")
    for column in ("code", "name", "city", "state", "FHIR base URL (patient host)"):
        table.add_column(column)
    for practice in found:
        table.add_row(practice.code, practice.name, practice.city, practice.state, practice.base_url)
    console = Console()
    console.print(table)
    console.print(f"connect with:  fhirgate connect NAME CODE   (e.g. fhirgate connect dr-lee {found[0].code})")


@practices_app.command("update")
def update() -> None:
    """Fetch eClinicalWorks' practice directory again now (it is otherwise refreshed monthly)."""
    from fhir_client import FhirClientError
    from fhirgate.practice_finder import directory_for

    directory = directory_for(settings_from_env(), os.environ)

    async def work() -> int:
        try:
            return len(await directory.update())
        except FhirClientError as exc:
            raise UserFacingError(str(exc)) from None

    count = run_async(work)
    Console().print(f"{count} practices in the directory (saved in {directory.path})")
