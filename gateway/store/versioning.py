"""Content identity and version stamping: what counts as "changed", and the compact JSON text we store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from translators import fhir_json

_SERVER_META = ("versionId", "lastUpdated")


def compact_json(resource: dict[str, Any]) -> str:
    """Compact JSON text, UTF-8 kept as-is, exactly what the facade serves."""
    return fhir_json.dumps(resource)  # as json.dumps, but decimals keep their precision ("1.50")


def content_hash(resource: dict[str, Any]) -> str:
    """Digest of the resource without the server-assigned ``meta.versionId``/``meta.lastUpdated``."""
    meta = resource.get("meta")
    if isinstance(meta, dict):
        trimmed = {k: v for k, v in meta.items() if k not in _SERVER_META}
        resource = {k: v for k, v in resource.items() if k != "meta"}
        if trimmed:
            resource["meta"] = trimmed
    canonical = fhir_json.dumps(resource, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def format_instant(moment: datetime) -> str:
    """A FHIR ``instant`` in UTC with millisecond precision, e.g. ``2024-03-01T10:00:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def truncate_to_millis(moment: datetime) -> datetime:
    """``moment`` in UTC, cut to the millisecond precision ``meta.lastUpdated`` carries."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def stamp(resource: dict[str, Any], version_id: int, last_updated: datetime) -> dict[str, Any]:
    """A copy of ``resource`` with ``meta.versionId`` and ``meta.lastUpdated`` set (``meta`` placed after ``id``)."""
    meta = {**(resource.get("meta") or {}), "versionId": str(version_id), "lastUpdated": format_instant(last_updated)}
    head: dict[str, Any] = {k: resource[k] for k in ("resourceType", "id") if k in resource}
    return {**head, "meta": meta, **{k: v for k, v in resource.items() if k not in head and k != "meta"}}
