"""Push the record to a FHIR server: the changed resources in dependency-ordered transactions, the push state
saved after each confirmed transaction, and per-type counts of created/updated/unchanged/failed.

A resource whose content equals what was last confirmed on that server is not sent (``unchanged``), so a
second push of the same record sends nothing, and a push stopped half-way resumes where it stopped.
``full`` ignores the state and sends everything again (conditional updates keep that idempotent).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from fhirgate.record_out.parts import RecordItem
from fhirgate.record_out.push_bundle import transaction_bundle
from fhirgate.record_out.push_client import PushFailed, TransactionClient
from fhirgate.record_out.push_order import Key, push_batches
from fhirgate.record_out.push_state import PushState, content_hash

DEFAULT_BATCH_SIZE = 100
_LOCATION = re.compile(r"([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]*)?/?")
_KEPT_FAILURES = 5


@dataclass
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


@dataclass
class PushReport:
    by_type: dict[str, TypeCounts] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    transactions: int = 0

    def count(self, resource_type: str) -> TypeCounts:
        return self.by_type.setdefault(resource_type, TypeCounts())

    def total(self) -> TypeCounts:
        """The counts summed over every type."""
        counts = list(self.by_type.values())
        return TypeCounts(
            created=sum(c.created for c in counts),
            updated=sum(c.updated for c in counts),
            unchanged=sum(c.unchanged for c in counts),
            failed=sum(c.failed for c in counts),
        )

    @property
    def failed(self) -> int:
        return self.total().failed


class PushProgress(Protocol):
    def push_started(self, total: int) -> None: ...

    def push_advanced(self, steps: int) -> None: ...


def _server_location(entry: dict[str, Any]) -> str | None:
    response = entry.get("response") if isinstance(entry, dict) else None
    location = response.get("location") if isinstance(response, dict) else None
    if isinstance(location, str):
        for match in _LOCATION.finditer(location):
            if match.end() == len(location):
                return f"{match.group(1)}/{match.group(2)}"
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if isinstance(resource, dict) and isinstance(resource.get("id"), str):
        return f"{resource.get('resourceType')}/{resource['id']}"
    return None


def _status(entry: dict[str, Any]) -> str:
    response = entry.get("response") if isinstance(entry, dict) else None
    status = response.get("status") if isinstance(response, dict) else None
    return status.strip() if isinstance(status, str) else ""


class RecordPusher:
    def __init__(
        self,
        client: TransactionClient,
        state: PushState,
        progress: PushProgress,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        full: bool = False,
    ) -> None:
        self._client = client
        self._state = state
        self._progress = progress
        self._batch_size = batch_size
        self._full = full

    async def push(self, items: Sequence[RecordItem]) -> PushReport:
        report = PushReport()
        known = {} if self._full else self._state.known()
        locations: dict[Key, str] = {key: pushed.location for key, pushed in self._state.known().items()}
        hashes = {(item.resource_type, item.id): content_hash(item.json_text) for item in items}
        changed: list[RecordItem] = []
        for item in items:
            key = (item.resource_type, item.id)
            held = known.get(key)
            if held is not None and held.content_hash == hashes[key]:
                report.count(item.resource_type).unchanged += 1
            else:
                changed.append(item)
        self._progress.push_started(len(changed))
        # Binaries first, in transactions of their own: an attachment's `url` then names the server's
        # Binary/<id>; not every server rewrites a `urn:uuid` outside Reference.reference.
        binaries = [item for item in changed if item.resource_type == "Binary"]
        others = [item for item in changed if item.resource_type != "Binary"]
        batches = push_batches(binaries, self._batch_size) + push_batches(others, self._batch_size)
        for batch in batches:
            await self._send(batch, hashes, locations, report)
            self._progress.push_advanced(len(batch))
        return report

    async def _send(
        self, batch: list[RecordItem], hashes: dict[Key, str], locations: dict[Key, str], report: PushReport
    ) -> None:
        bundle = transaction_bundle(batch, self._client.base_url, locations)
        report.transactions += 1
        try:
            answer = await self._client.transaction(bundle)
        except PushFailed as exc:
            self._fail(batch, str(exc), report)
            return
        answered = answer.get("entry")
        if not isinstance(answered, list) or len(answered) != len(batch):
            self._fail(batch, "the transaction-response does not answer every entry", report)
            return
        confirmed: list[tuple[str, str, str, str]] = []
        for item, entry in zip(batch, answered, strict=True):
            key = (item.resource_type, item.id)
            status, location = _status(entry), _server_location(entry)
            counts = report.count(item.resource_type)
            if status.startswith("201") and location:
                counts.created += 1
            elif status.startswith("200") and location:
                counts.updated += 1
            else:
                counts.failed += 1
                continue
            locations[key] = location
            confirmed.append((item.resource_type, item.id, hashes[key], location))
        self._state.record(confirmed)

    def _fail(self, batch: list[RecordItem], reason: str, report: PushReport) -> None:
        for item in batch:
            report.count(item.resource_type).failed += 1
        if len(report.failures) < _KEPT_FAILURES and reason not in report.failures:
            report.failures.append(reason)
