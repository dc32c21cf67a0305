"""A tiny, FHIRPath-like reader of FHIR JSON for the US Core rules: dotted element names, arrays flattened.

``effective[x]`` matches any ``effective<Type>`` element; ``coding`` etc. are plain names. No functions,
no filters: the rules that need more are written as Python predicates next to their citation.
"""

from __future__ import annotations

from typing import Any

__all__ = ["first", "has", "values"]


def _children(node: Any, name: str) -> list[Any]:
    if not isinstance(node, dict):
        return []
    if name.endswith("[x]"):
        stem = name[:-3]
        found = [
            value for key, value in node.items() if key.startswith(stem) and key[len(stem) : len(stem) + 1].isupper()
        ]
    else:
        found = [node[name]] if name in node else []
    flat: list[Any] = []
    for value in found:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def values(node: Any, path: str) -> list[Any]:
    """Every value at ``path`` under ``node`` (a resource or an element), arrays flattened, in order."""
    current = node if isinstance(node, list) else [node]
    for name in path.split("."):
        current = [child for item in current for child in _children(item, name)]
    return [value for value in current if value is not None and value != "" and value != [] and value != {}]


def has(node: Any, path: str) -> bool:
    return bool(values(node, path))


def first(node: Any, path: str) -> Any:
    found = values(node, path)
    return found[0] if found else None
