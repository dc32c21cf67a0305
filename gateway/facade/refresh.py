"""Refresh before search: the surfaces a search reads are refreshed first when older than a TTL.

The sync layer is injected as a ``Refresher`` (an async callable taking surface names), so the facade never
imports it. Searches needing the same surfaces while a refresh runs wait for that one refresh. When it
fails (Kaiser unreachable, sign-in needed), the search still answers from the store, with an outcome entry
saying how old the data is; the failed surfaces are not retried for ``retry_after``, so a dead portal
does not slow every search. A refresh outlasting ``max_wait`` keeps running; the search does not wait.

Clocks: a surface's age compares wall-clock times (the store records when it synced), and a last sync
in the future -- the clock was moved back after it -- counts as stale, never as fresh forever. Intervals
this process measures itself (the retry back-off) use the monotonic clock, which no clock change moves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.facade.outcomes import operation_outcome
from gateway.store import ResourceStore, SurfaceState

logger = logging.getLogger(__name__)

Refresher = Callable[[tuple[str, ...]], Awaitable[None]]
Clock = Callable[[], datetime]
DEFAULT_TTL = timedelta(minutes=15)
# A sync recorded a moment after a search read the clock is not "from the future".
FUTURE_TOLERANCE = timedelta(seconds=5)


class RefreshFailed(Exception):
    """The sync layer could not refresh (Kaiser unreachable, sign-in needed); the message is shown to clients,
    so it must name what to do and never carry cookies, tokens or record content."""


@dataclass(frozen=True)
class RefreshPolicy:
    """How a facade keeps its data fresh: ``surface_types`` says which surfaces yield each FHIR type."""

    refresher: Refresher
    surface_types: Mapping[str, Sequence[str]]
    ttl: timedelta = DEFAULT_TTL
    retry_after: timedelta = timedelta(minutes=1)
    max_wait: float = 20.0
    """Seconds a search waits for a refresh: well inside the 30 s read timeout common to FHIR clients."""
    clock: Clock = field(default=lambda: datetime.now(UTC))
    monotonic: Callable[[], float] = time.monotonic
    """Seconds on a clock no wall-clock change moves: measures the retry back-off."""


def is_stale(last_success: datetime | None, now: datetime, ttl: timedelta) -> bool:
    """Whether data synced at ``last_success`` is too old at ``now``: never synced, older than ``ttl``, or
    synced "in the future" (the clock went back since), which no amount of waiting would age."""
    if last_success is None:
        return True
    age = now - last_success
    return age >= ttl or age < -FUTURE_TOLERANCE


def describe_age(since: datetime, now: datetime) -> str:
    """``2 h 5 min`` / ``40 s``: how long ago ``since`` was."""
    seconds = max(int((now - since).total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "d"), (hours, "h"), (minutes, "min")) if n]
    return " ".join(parts) if parts else f"{seconds} s"


class FreshnessGate:
    """Refreshes stale surfaces for a search (one refresh per surface at a time) and reports what it could not."""

    def __init__(self, policy: RefreshPolicy, store: ResourceStore) -> None:
        self._policy = policy
        self._store = store
        self._running: dict[str, asyncio.Task[None]] = {}
        self._failures: dict[str, tuple[float, str]] = {}  # surface -> (monotonic time, reason)

    def surfaces_for(self, resource_types: Collection[str] | None) -> tuple[str, ...]:
        """The surfaces yielding any of ``resource_types`` (every surface for None)."""
        return tuple(
            surface
            for surface, types in self._policy.surface_types.items()
            if resource_types is None or any(t in types for t in resource_types)
        )

    async def ensure_fresh(self, resource_types: Collection[str] | None) -> list[dict[str, Any]]:
        """Refresh what ``resource_types`` need when stale; outcome entries for what is still stale."""
        surfaces = self.surfaces_for(resource_types)
        if not surfaces:
            return []
        now = self._policy.clock()
        states = {state.surface: state for state in self._store.surface_states()}
        stale = [s for s in surfaces if self._is_stale(states.get(s), now) and not self._backing_off(s)]
        waiting = self._start(stale)
        if waiting:
            await asyncio.wait(waiting, timeout=self._policy.max_wait)  # never cancels the refresh itself
        return self._outcomes(surfaces, now)

    def _is_stale(self, state: SurfaceState | None, now: datetime) -> bool:
        return is_stale(None if state is None else state.last_success, now, self._policy.ttl)

    def _backing_off(self, surface: str) -> bool:
        failure = self._failures.get(surface)
        return failure is not None and self._policy.monotonic() - failure[0] < self._policy.retry_after.total_seconds()

    def _start(self, stale: Sequence[str]) -> set[asyncio.Task[None]]:
        missing = tuple(s for s in stale if s not in self._running)
        if missing:
            task = asyncio.ensure_future(self._run(missing))
            self._running.update(dict.fromkeys(missing, task))
        return {self._running[s] for s in stale if s in self._running}

    async def _run(self, surfaces: tuple[str, ...]) -> None:
        logger.info("refresh started surfaces=%s", ",".join(surfaces))
        try:
            await self._policy.refresher(surfaces)
        except RefreshFailed as exc:
            self._fail(surfaces, str(exc))
        except Exception as exc:  # a refresher bug must not fail the search: the stored data is still served
            logger.error("refresh crashed surfaces=%s error_type=%s", ",".join(surfaces), type(exc).__name__)
            self._fail(surfaces, f"unexpected {type(exc).__name__} while refreshing")
        else:
            for surface in surfaces:
                self._failures.pop(surface, None)
        finally:
            for surface in surfaces:
                self._running.pop(surface, None)

    def _fail(self, surfaces: tuple[str, ...], reason: str) -> None:
        logger.warning("refresh failed surfaces=%s", ",".join(surfaces))
        failed_at = self._policy.monotonic()
        self._failures.update(dict.fromkeys(surfaces, (failed_at, reason)))

    def _outcomes(self, surfaces: Sequence[str], now: datetime) -> list[dict[str, Any]]:
        states = {state.surface: state for state in self._store.surface_states()}
        outcomes: list[dict[str, Any]] = []
        for surface in surfaces:
            state = states.get(surface)
            if surface in self._running:
                problem = "is still being refreshed"
            elif surface in self._failures and self._is_stale(state, now):
                problem = f"could not be refreshed from Kaiser ({self._failures[surface][1]})"
            else:
                continue
            held = (
                f"serving stored data as of {state.last_success.isoformat()} "
                f"({describe_age(state.last_success, now)} old)"
                if state is not None and state.last_success is not None
                else "it has never synced, so nothing from it is stored yet"
            )
            outcomes.append(operation_outcome("transient", f"surface {surface} {problem}: {held}", severity="warning"))
        return outcomes
