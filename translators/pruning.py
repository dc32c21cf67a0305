"""Dropping absent values from built resources: FHIR forbids empty strings, arrays and objects."""

from __future__ import annotations

from typing import Any


def pruned(value: Any) -> Any:
    """``value`` with every ``None``, ``""``, ``[]`` and ``{}`` removed, recursively (``False`` and ``0`` stay)."""
    if isinstance(value, dict):
        kept = {key: pruned(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if not _is_empty(item)}
    if isinstance(value, list):
        items = [pruned(item) for item in value]
        return [item for item in items if not _is_empty(item)]
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)
