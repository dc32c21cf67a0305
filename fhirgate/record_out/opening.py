"""Which sources an export or push reads: the local Kaiser store and every connected practice (or those
named), each opened as a ``RecordPart``."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import datetime

from fhirgate.home_reach import HomeReach
from fhirgate.record_out.parts import KAISER, KaiserPart, PracticePart, RecordPart
from fhirgate.settings import Settings
from fhirgate.smart_connect import practice_clients
from gateway.store import ResourceStore


class UnknownSourceError(LookupError):
    """``--source`` named a source this home does not have."""


async def open_parts(
    settings: Settings,
    store: ResourceStore,
    names: Sequence[str],
    since: datetime | None,
    stack: AsyncExitStack,
) -> list[RecordPart]:
    """The parts for ``names`` (all sources when empty); practice clients close with ``stack``. A practice is
    read through the home's reach guard, like every other request to a source."""
    practices = practice_clients(settings, transport=HomeReach.for_settings(settings).transport())
    for client in practices.values():
        stack.push_async_callback(client.aclose)
    known = [KAISER, *sorted(practices)]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UnknownSourceError(f"no source named {unknown[0]!r}; this home has: {', '.join(known)}")
    chosen = list(dict.fromkeys(names)) or known
    parts: list[RecordPart] = []
    for name in chosen:
        parts.append(KaiserPart(store, since) if name == KAISER else PracticePart(name, practices[name], since))
    return parts
