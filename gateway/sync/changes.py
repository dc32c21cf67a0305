"""Which resources of a batch are new or changed against the store: the targets of the batch's Provenance."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from gateway.store import ResourceStore

_SERVER_META = ("versionId", "lastUpdated")


def changed_references(store: ResourceStore, resources: Sequence[dict[str, Any]]) -> list[str]:
    """``Type/id`` of every resource whose content differs from its stored version (or that is not stored)."""
    changed: list[str] = []
    seen: set[str] = set()
    for resource in resources:
        reference = f"{resource['resourceType']}/{resource['id']}"
        if reference in seen:
            continue
        seen.add(reference)
        stored = store.read(resource["resourceType"], resource["id"])
        if stored is None or _without_server_meta(json.loads(stored.json_text)) != _without_server_meta(resource):
            changed.append(reference)
    return changed


def _without_server_meta(resource: dict[str, Any]) -> dict[str, Any]:
    meta = resource.get("meta")
    if not isinstance(meta, dict):
        return resource
    trimmed = {key: value for key, value in meta.items() if key not in _SERVER_META}
    rest = {key: value for key, value in resource.items() if key != "meta"}
    return {**rest, "meta": trimmed} if trimmed else rest
