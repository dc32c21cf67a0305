"""``X-inclusionJsonPath``: the mycare API's server-side field projection (KAISER_API.md §2.1).

Supported JSONPath subset: ``$`` then dotted member names, each optionally indexed (``planInfos[0]``),
and a final field set (``.{purchaserName,coverageEndDate}``). A member step on an array applies to
every element. Several paths are merged into one tree. Paths that match nothing contribute nothing;
paths outside the subset are ignored (logged). With exactly one path the answer loses its top-level
wrapper object, which is the documented quirk.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["parse_path", "project"]

logger = logging.getLogger("fhirgate.sandbox.portal")

_MEMBER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$")
_FIELDS = re.compile(r"^\{\s*[A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*\s*\}$")
_MISSING = object()


@dataclass(frozen=True)
class _Member:
    name: str


@dataclass(frozen=True)
class _Index:
    position: int


@dataclass(frozen=True)
class _FieldSet:
    names: tuple[str, ...]


_Step = _Member | _Index | _FieldSet


def parse_path(path: str) -> list[_Step] | None:
    """Steps of one path, or None when it is outside the supported subset."""
    path = path.strip()
    if not path.startswith("$."):
        return None
    parts = path[2:].split(".")
    steps: list[_Step] = []
    for position, part in enumerate(parts):
        if _FIELDS.match(part) and position == len(parts) - 1:
            steps.append(_FieldSet(tuple(name.strip() for name in part.strip("{} ").split(","))))
            continue
        match = _MEMBER.match(part)
        if match is None:
            return None
        steps.append(_Member(match.group(1)))
        steps.extend(_Index(int(i)) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return steps


def _select(node: Any, steps: list[_Step]) -> Any:
    if not steps:
        return copy.deepcopy(node)
    step, rest = steps[0], steps[1:]
    if isinstance(step, _FieldSet):
        if isinstance(node, list):
            return [_select(item, steps) for item in node]
        if not isinstance(node, dict):
            return _MISSING
        return {name: copy.deepcopy(node[name]) for name in step.names if name in node}
    if isinstance(step, _Index):
        if not isinstance(node, list) or step.position >= len(node):
            return _MISSING
        picked = _select(node[step.position], rest)
        return _MISSING if picked is _MISSING else [picked]
    if isinstance(node, list):
        picked_items = [_select(item, steps) for item in node]
        return [item for item in picked_items if item is not _MISSING]
    if not isinstance(node, dict) or step.name not in node:
        return _MISSING
    picked = _select(node[step.name], rest)
    return _MISSING if picked is _MISSING else {step.name: picked}


def _merge(into: Any, extra: Any) -> Any:
    if isinstance(into, dict) and isinstance(extra, dict):
        for key, value in extra.items():
            into[key] = _merge(into[key], value) if key in into else value
        return into
    if isinstance(into, list) and isinstance(extra, list) and len(into) == len(extra):
        return [_merge(a, b) for a, b in zip(into, extra, strict=True)]
    return extra


def project(document: dict[str, Any], header: str | None) -> dict[str, Any]:
    """The response body for an ``X-inclusionJsonPath`` header value (None/blank = whole document)."""
    paths = [p for p in (header or "").split(";") if p.strip()]
    if not paths:
        return copy.deepcopy(document)
    result: dict[str, Any] = {}
    for path in paths:
        steps = parse_path(path)
        if steps is None:
            logger.info("inclusion path ignored path=%r", path)
            continue
        picked = _select(document, steps)
        if isinstance(picked, dict):
            _merge(result, picked)
    if len(paths) == 1 and len(result) == 1:
        # The quirk: a single inclusion path comes back without its wrapper (e.g. UserAccountData).
        (inner,) = result.values()
        if isinstance(inner, dict):
            return inner
    return result
