"""The record sources the MCP tools can reach, by name (`kaiser`, a SMART practice, ...)."""

from __future__ import annotations

from collections.abc import Mapping

from fhir_client import FhirClient

__all__ = ["SourceRegistry", "UnknownSourceError"]


class UnknownSourceError(LookupError):
    """No source has this name; `known` lists the names that exist."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        listing = ", ".join(known) if known else "none configured"
        super().__init__(f"unknown source {name!r}; known sources: {listing}")


class SourceRegistry:
    """Maps source names to the `FhirClient` that reaches each one."""

    def __init__(self, sources: Mapping[str, FhirClient]) -> None:
        self._sources = dict(sources)

    def names(self) -> list[str]:
        """The source names, sorted."""
        return sorted(self._sources)

    def get(self, name: str) -> FhirClient:
        """The client for `name`; `UnknownSourceError` if there is none."""
        try:
            return self._sources[name]
        except KeyError:
            raise UnknownSourceError(name, self.names()) from None

    async def aclose(self) -> None:
        """Close every source's client."""
        for client in self._sources.values():
            await client.aclose()
