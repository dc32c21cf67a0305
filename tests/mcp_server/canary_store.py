"""Stores whose record text all carries a canary: the sandbox's small patient as a full in-process sync
wrote it (every surface, every resource type), and the sandbox SMART EHR's record of the same person.

`plant` rewrites a copy of every resource: each string leaf a source wrote starts with `CANARY`. The
sandbox's own data is not changed. Left as they are, because the store and the tools must still work
on them (and they are not free text): ids and references, `system`/`code`/`status` codes, dates and
times, URLs, content types and `meta`. Text attachments carry the canary inside their decoded text.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.sandbox_portal import SandboxPortal
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from sandbox.ehr.record import EHR_SURFACE, build_record

__all__ = ["CANARY", "plant", "practice_canary_store", "small_patient_canary_store"]

CANARY = "zq7canary"
"""Lower-case and unbroken, so no rendering (clipping after 80 characters, case, pipes) can hide it."""

_KEPT_KEYS = frozenset(
    {"resourceType", "id", "reference", "system", "code", "status", "url", "contentType", "fullUrl", "data"}
)
_DATE_OR_TIME = re.compile(
    r"-?\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?|\d{2}:\d{2}(:\d{2})?"
)
_SYNCED_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _text_data(node: Mapping[str, Any]) -> str | None:
    """A planted copy of an attachment's or Binary's base64 `data` when it is text, else None."""
    kind, data = node.get("contentType"), node.get("data")
    if not (isinstance(kind, str) and kind.startswith("text/") and isinstance(data, str)):
        return None
    text = base64.b64decode(data).decode("utf-8", errors="replace")
    planted = text.replace("<body>", f"<body>{CANARY} ", 1) if "<body>" in text else f"{CANARY} {text}"
    return base64.b64encode(planted.encode()).decode()


def _string(key: str | None, value: str) -> str:
    if key in _KEPT_KEYS or _DATE_OR_TIME.fullmatch(value):
        return value
    if key == "div":  # XHTML narrative: the canary goes inside the element
        return value.replace(">", f">{CANARY} ", 1)
    return f"{CANARY} {value}"


def plant(node: Any, key: str | None = None) -> Any:
    """A copy of `node` with `CANARY` at the start of every string leaf a source wrote."""
    if isinstance(node, Mapping):
        copied = {k: v if k == "meta" else plant(v, k) for k, v in node.items()}
        if (data := _text_data(node)) is not None:
            copied["data"] = data
        return copied
    if isinstance(node, list):
        return [plant(item, key) for item in node]
    if isinstance(node, str):
        return _string(key, node)
    return node


def _copy_planted(source: Path, target: Path) -> SqliteStore:
    with sqlite3.connect(source) as connection:
        rows = connection.execute("SELECT source, json FROM resources ORDER BY resource_type, id").fetchall()
    connection.close()
    by_surface: dict[str, list[dict[str, Any]]] = {}
    for surface, text in rows:
        by_surface.setdefault(surface, []).append(plant(json.loads(text)))
    store = SqliteStore.open(target)
    for surface, resources in by_surface.items():
        store.write_surface(surface, resources, now=_SYNCED_AT)
    return store


async def small_patient_canary_store(directory: Path, portal: SandboxPortal) -> SqliteStore:
    """The small patient synced from the in-process sandbox `portal`, then planted into a new store."""
    portal.config.pdf_generating_calls = 0  # result PDFs at the only sync
    synced = SqliteStore.open(directory / "synced.sqlite3")
    try:
        async with await portal.client() as client:
            report = await SyncEngine(client, synced, clock=lambda: datetime.now(UTC)).run()
        assert report.ok, report.surfaces
    finally:
        synced.close()
    return _copy_planted(directory / "synced.sqlite3", directory / "kaiser-canary.sqlite3")


def practice_canary_store(directory: Path) -> SqliteStore:
    """The sandbox SMART EHR's record of the same person (seed 1), planted, in a store its facade engine serves."""
    store = SqliteStore.open(directory / "practice-canary.sqlite3")
    store.write_surface(EHR_SURFACE, [plant(r) for r in build_record(1).resources], now=_SYNCED_AT)
    return store
