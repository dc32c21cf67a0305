"""Finding a practice by name for `fhirgate practices`, `connect` and the MCP tools: the home's
cached copy of eClinicalWorks' directory, at the URL `FHIRGATE_PRACTICE_DIRECTORY_URL` names
(eCW's own by default; tests and the demo point it at the sandbox)."""

from __future__ import annotations

from collections.abc import Mapping

import httpx2

from fhir_client import DirectoryCache, Practice, find_practices, match_practice, patient_hosts_from
from fhir_client.practice_directory import DEFAULT_DIRECTORY_URL
from fhirgate.settings import Settings

__all__ = ["DIRECTORY_URL_VARIABLE", "PracticeFinder", "directory_for"]

DIRECTORY_URL_VARIABLE = "FHIRGATE_PRACTICE_DIRECTORY_URL"


def directory_for(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    offline: bool = False,
) -> DirectoryCache:
    """The home's copy of the directory; `offline` (`fhirgate mcp --offline`) never fetches it."""
    return DirectoryCache(
        settings.home / "practice_directory.json",
        url=environ.get(DIRECTORY_URL_VARIABLE) or DEFAULT_DIRECTORY_URL,
        hosts=patient_hosts_from(environ),
        transport=transport,
        offline=offline,
    )


class PracticeFinder:
    """Searches and matches over a `DirectoryCache` (fetched on first use, refreshed monthly)."""

    def __init__(self, directory: DirectoryCache) -> None:
        self.directory = directory

    async def find(self, name: str, *, city: str | None = None, state: str | None = None) -> list[Practice]:
        return find_practices(await self.directory.practices(), name, city=city, state=state)

    async def match(self, query: str, *, state: str | None = None) -> Practice:
        """The one practice `query` (a code or a name) names; `PracticeNotFound` lists candidates."""
        return match_practice(await self.directory.practices(), query, state=state)
