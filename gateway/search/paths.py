"""Evaluation of the search table's path language (``a.b|c``, ``extension(name).valueX``) over FHIR JSON dicts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

_EXTENSION_STEP = re.compile(r"extension\((?P<name>[A-Za-z0-9\-]+)\)")


@lru_cache(maxsize=512)
def _compile(paths: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(step for step in alternative.strip().split(".")) for alternative in paths.split("|"))


def _flatten(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        yield from value
    elif value is not None:
        yield value


def _step(node: dict[str, Any], step: str) -> Iterator[Any]:
    extension = _EXTENSION_STEP.fullmatch(step)
    if extension is None:
        yield from _flatten(node.get(step))
        return
    suffix = "/" + extension["name"]
    for item in _flatten(node.get("extension")):
        if isinstance(item, dict) and str(item.get("url", "")).endswith(suffix):
            yield item


def evaluate_path(resource: dict[str, Any], paths: str) -> list[Any]:
    """Every value reached by ``paths`` (union of ``|`` alternatives, arrays flattened at each step)."""
    found: list[Any] = []
    for steps in _compile(paths):
        current: list[Any] = [resource]
        for step in steps:
            current = [item for node in current if isinstance(node, dict) for item in _step(node, step)]
        found.extend(current)
    return found
