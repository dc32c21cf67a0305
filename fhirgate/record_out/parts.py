"""Each source's part of the whole record, as items ready to write: the Kaiser store (its own ids, stored
JSON text as it is) and each connected practice (read through its API, ids namespaced)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fhir_client import FhirClient
from fhirgate.record_out.namespacing import SourceNamespace
from fhirgate.record_out.practice_record import PracticeRecord
from gateway.bulk import EXPORTABLE_TYPES, system_record, type_totals
from gateway.store import ResourceStore

KAISER = "kaiser"


@dataclass(frozen=True, slots=True)
class RecordItem:
    """One resource of the exported record: compact FHIR JSON text and where it came from."""

    source: str
    resource_type: str
    id: str
    json_text: str


class RecordPart(Protocol):
    """One source's contribution; ``total`` (when known) sizes the progress bar, ``notes`` say what is partial."""

    name: str
    total: int | None
    notes: list[str]

    def items(self) -> AsyncIterator[RecordItem]: ...


class KaiserPart:
    """Everything the local store holds (as the last sync left it), Binaries included."""

    def __init__(self, store: ResourceStore, since: datetime | None = None) -> None:
        self.name = KAISER
        self._store = store
        self._since = since
        self.total: int | None = sum(type_totals(store, EXPORTABLE_TYPES, since).values())
        self.notes: list[str] = []

    async def items(self) -> AsyncIterator[RecordItem]:
        for stored in system_record(self._store, EXPORTABLE_TYPES, self._since):
            yield RecordItem(KAISER, stored.resource_type, stored.id, stored.json_text)


class PracticePart:
    """A connected practice's record through its FHIR API, in its own id namespace."""

    def __init__(self, name: str, client: FhirClient, since: datetime | None = None) -> None:
        self.name = name
        self._record = PracticeRecord(client, since=since)
        self._namespace = SourceNamespace(name, client.base_url)
        self.total: int | None = None
        self.notes = self._record.notes

    async def items(self) -> AsyncIterator[RecordItem]:
        async for resource in self._record.resources():
            if self.total is None:
                self.total = self._record.total
            rewritten = self._namespace.rewrite(resource)
            text = json.dumps(rewritten, ensure_ascii=False, separators=(",", ":"))
            yield RecordItem(self.name, str(rewritten["resourceType"]), str(rewritten["id"]), text)
