"""`find_practice`: an eClinicalWorks / healow practice found by name in eCW's practice directory
(the home's cached copy), so `connect_practice` can be given its code instead of a URL.

The directory's names and addresses come from outside fhirgate, so they are listed inside an
untrusted fence; the practice code and patient-host base URL are what the model passes on.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from fhir_client import FhirClientError, Practice
from fhir_client.errors import quoted
from mcp_server.untrusted.fencing import fence

__all__ = ["FindPracticeTool", "PracticeDirectory"]


class PracticeDirectory(Protocol):
    """Finds practices by name (implemented by the composition root over the cached directory)."""

    async def find(self, name: str, *, city: str | None = None, state: str | None = None) -> list[Practice]: ...

    async def match(self, query: str, *, state: str | None = None) -> Practice: ...


def _line(practice: Practice) -> str:
    where = ", ".join(quoted(part, 80) for part in (practice.city, practice.state) if part)
    name, url = quoted(practice.name, 120), quoted(practice.base_url, 200)
    return f"- code {quoted(practice.code, 20)}: {name} ({where}) {url}"


class FindPracticeTool:
    def __init__(self, directory: PracticeDirectory) -> None:
        self._directory = directory

    async def find_practice(
        self,
        name: Annotated[str, Field(description="e.g. 'lee family medicine'")],
        city: str | None = None,
        state: Annotated[str | None, Field(description="e.g. 'CA'")] = None,
    ) -> str:
        """Find an eClinicalWorks / healow practice by name: up to 20 matches with code, city, state and FHIR
        base URL. Pass a code as connect_practice's fhir_base_url; ask the user which when several match."""
        if not name.strip():
            raise ToolError("Give some words of the practice's name, e.g. 'lee family medicine'.")
        try:
            found = await self._directory.find(name[:200], city=city, state=state)
        except FhirClientError as error:
            raise ToolError(f"eClinicalWorks' practice directory could not be read: {error}") from error
        if not found:
            return (
                f"No practice in eClinicalWorks' directory matches {quoted(name, 100)!r}"
                f"{' in ' + quoted(state, 20) if state else ''}: try fewer words, or ask the user for the "
                "practice's FHIR address (its healow page or front desk has it)."
            )
        listing = "\n".join(_line(practice) for practice in found)
        return (
            f"{len(found)} practice(s) in eClinicalWorks' directory match:\n"
            f"{fence(listing, what='practice directory text')}\n"
            "To connect one, call connect_practice with its code as fhir_base_url."
        )
