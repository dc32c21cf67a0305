"""Evaluation of the search table's path language (``a.b|c``) over FHIR JSON dicts."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=256)
def _compile(paths: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(step for step in alternative.strip().split(".")) for alternative in paths.split("|"))


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        yield from value
    elif value is not None:
        yield value


def evaluate_path(resource: dict[str, Any], paths: str) -> list[Any]:
    """Every value reached by ``paths`` (union of ``|`` alternatives, arrays flattened at each step)."""
    found: list[Any] = []
    for steps in _compile(paths):
        current: list[Any] = [resource]
        for step in steps:
            current = [item for node in current if isinstance(node, dict) for item in _flatten(node.get(step))]
        found.extend(current)
    return found
