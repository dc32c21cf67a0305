"""Connected practices (SMART sources read live through ``fhir_client``) as the pages read them.

The composition root injects a ``PracticeReader``; the web app never imports it. ``PracticeRecords`` reads
what one page needs from every practice at once, keeps each answer briefly (``CACHE_SECONDS``) so paging
through a list does not ask again, and turns a practice that fails or is slow into one line for the page,
never an error: the store's facts are shown either way. Each practice resource is a copy stamped with its
origin (``meta.source`` ``urn:fhirgate:practice:<name>``, ``meta.lastUpdated`` the time it was read)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

__all__ = [
    "CACHE_SECONDS",
    "PRACTICE_SOURCE_PREFIX",
    "PRACTICE_TYPES",
    "PracticeFacts",
    "PracticeReader",
    "PracticeRecords",
    "PracticeState",
    "PracticeUnreadable",
    "Query",
]

Resource = dict[str, Any]
Query = tuple[str, tuple[tuple[str, str], ...]]
"""A resource type and the search parameters the page asks every practice for."""

CACHE_SECONDS = 60.0
ANSWER_SECONDS = 15.0
PRACTICE_SOURCE_PREFIX = "urn:fhirgate:practice:"
PRACTICE_TYPES = frozenset(
    {
        "AllergyIntolerance",
        "CareTeam",
        "Condition",
        "Device",
        "DiagnosticReport",
        "DocumentReference",
        "Encounter",
        "Immunization",
        "MedicationRequest",
        "Observation",
        "ServiceRequest",
    }
)
"""What the pages ask practices for: the US Core types (a practice has no Kaiser messages or appointments)."""
LIMIT_PER_TYPE = 500


class PracticeUnreadable(Exception):
    """A practice could not be read; the message is one line fit for the page (no token, no record text)."""


@dataclass(frozen=True)
class PracticeState:
    name: str
    state: str
    """``connected``, ``reconnect needed``, ``sign-in not finished``, ``disconnected``."""
    token_expires: datetime | None
    refresh_token_held: bool
    action: str
    """What the person can do (``Reconnect: run `fhirgate connect NAME URL```), empty when all is well."""


class PracticeReader(Protocol):
    def names(self) -> Sequence[str]:
        """The connected practices' names."""

    def states(self) -> list[PracticeState]:
        """Each practice's connection and token state (read from the catalog and keychain, no request)."""

    async def search(self, name: str, resource_type: str, params: Sequence[tuple[str, str]]) -> list[Resource]:
        """Every match of the search at practice ``name`` (at most ``LIMIT_PER_TYPE``); ``PracticeUnreadable``."""

    async def read(self, name: str, resource_type: str, resource_id: str) -> Resource | None:
        """One resource at practice ``name``, None when it has none by that id; ``PracticeUnreadable``."""


@dataclass(frozen=True)
class PracticeFacts:
    resources: dict[str, list[Resource]]
    """By resource type, every practice's resources stamped with their origin."""
    problems: list[str]
    """One line per practice and type that could not be read."""


class PracticeRecords:
    def __init__(
        self,
        reader: PracticeReader,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reader = reader
        self._monotonic = monotonic
        self._now = now
        self._kept: dict[tuple[str, Query], tuple[float, list[Resource] | str]] = {}

    def states(self) -> list[PracticeState]:
        return self.reader.states()

    async def facts(self, queries: Sequence[Query]) -> PracticeFacts:
        asked = [(name, query) for name in self.reader.names() for query in queries if query[0] in PRACTICE_TYPES]
        answers = await asyncio.gather(*(self._answer(name, query) for name, query in asked))
        resources: dict[str, list[Resource]] = {}
        problems: list[str] = []
        for (name, (resource_type, _)), answer in zip(asked, answers, strict=True):
            if isinstance(answer, str):
                problems.append(f"{name} ({resource_type}): {answer}")
            else:
                resources.setdefault(resource_type, []).extend(answer)
        return PracticeFacts(resources, list(dict.fromkeys(problems)))

    async def read(self, name: str, resource_type: str, resource_id: str) -> Resource | None:
        if name not in self.reader.names() or resource_type not in PRACTICE_TYPES:
            return None
        try:
            return await asyncio.wait_for(self.reader.read(name, resource_type, resource_id), ANSWER_SECONDS)
        except (PracticeUnreadable, TimeoutError):
            return None

    async def _answer(self, name: str, query: Query) -> list[Resource] | str:
        kept = self._kept.get((name, query))
        if kept is not None and self._monotonic() - kept[0] < CACHE_SECONDS:
            return kept[1]
        answer: list[Resource] | str
        try:
            found = await asyncio.wait_for(self.reader.search(name, query[0], query[1]), ANSWER_SECONDS)
            fetched = self._now().strftime("%Y-%m-%dT%H:%M:%SZ")
            answer = [_stamped(resource, name, fetched) for resource in found]
        except PracticeUnreadable as exc:
            answer = str(exc).splitlines()[0][:200] if str(exc).strip() else "could not be read"
        except TimeoutError:
            answer = f"did not answer within {ANSWER_SECONDS:g} s"
        self._kept[(name, query)] = (self._monotonic(), answer)
        return answer


def _stamped(resource: Resource, name: str, fetched: str) -> Resource:
    found = resource.get("meta")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    return {**resource, "meta": {**meta, "source": PRACTICE_SOURCE_PREFIX + name, "lastUpdated": fetched}}
