"""Taking unchanged items back from the store, so an incremental sync still writes the whole surface."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from gateway.store import ResourceStore
from translators import fhir_json  # decimals read back at their stored precision

References = Callable[[dict[str, Any]], list[str]]


def stored_with_references(
    store: ResourceStore | None, resource_type: str, resource_id: str, references: References
) -> list[dict[str, Any]] | None:
    """The stored resource followed by the resources its ``references`` name; None if any is missing."""
    if store is None:
        return None
    stored = store.read(resource_type, resource_id)
    if stored is None:
        return None
    head = fhir_json.loads(stored.json_text)
    resources = [head]
    for reference in references(head):
        kind, _, target_id = reference.partition("/")
        target = store.read(kind, target_id)
        if target is None:
            return None
        resources.append(fhir_json.loads(target.json_text))
    return resources


def content_fingerprint(value: Any) -> str:
    """A short, stable digest of a portal item, to tell on the next sync whether it changed."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:32]


def stored_resources(store: ResourceStore | None, references: Sequence[str]) -> list[dict[str, Any]] | None:
    """The stored resources named by ``Type/id`` references; None when the store lacks any of them."""
    if store is None:
        return None
    resources = []
    for reference in references:
        kind, _, resource_id = reference.partition("/")
        stored = store.read(kind, resource_id)
        if stored is None:
            return None
        resources.append(fhir_json.loads(stored.json_text))
    return resources


def report_results(report: dict[str, Any]) -> list[str]:
    """A DiagnosticReport's Observations."""
    return [str(item.get("reference", "")) for item in report.get("result") or []]


def task_outputs(task: dict[str, Any]) -> list[str]:
    """A Task's output references (a refill order's MedicationDispenses)."""
    return [str((item.get("valueReference") or {}).get("reference", "")) for item in task.get("output") or []]
