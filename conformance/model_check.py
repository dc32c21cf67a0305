"""Validator 1: the fhir.resources R4B model of each resource, plus a round-trip check.

A resource passes when its model accepts it and dumping the model gives back exactly the JSON we emitted
(so no element is silently dropped or coerced by the model).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

__all__ = ["model_errors"]


def model_errors(resource: dict[str, Any], *, round_trip: bool = True) -> list[str]:
    """The R4B model's objections to ``resource`` (empty when it is valid).

    ``round_trip=False`` skips the stability check, for JSON we did not produce through the model (the facade
    writes ``2026-01-01T00:00:00.000Z`` where the model would write ``…00Z``: both valid).
    """
    resource_type = resource.get("resourceType")
    if not isinstance(resource_type, str):
        return ["no resourceType"]
    try:
        model_class = get_fhir_model_class(resource_type)
    except (KeyError, ValueError):
        return [f"unknown resourceType {resource_type!r}"]
    try:
        model = model_class.model_validate(resource)
    except ValueError as error:  # pydantic's ValidationError is a ValueError
        return [_first_lines(str(error))]
    dumped = model.model_dump(mode="json", exclude_none=True)
    if round_trip and dumped != resource:
        return [f"not stable through the model: {_first_difference(resource, dumped, resource_type)}"]
    return []


def _first_lines(text: str, limit: int = 6) -> str:
    return " | ".join(line.strip() for line in text.splitlines()[:limit])


def _first_difference(emitted: Any, dumped: Any, path: str) -> str:
    if isinstance(emitted, dict) and isinstance(dumped, dict):
        for key in sorted(set(emitted) | set(dumped)):
            if emitted.get(key) != dumped.get(key):
                return _first_difference(emitted.get(key), dumped.get(key), f"{path}.{key}")
    if isinstance(emitted, list) and isinstance(dumped, list) and len(emitted) == len(dumped):
        for index, (left, right) in enumerate(zip(emitted, dumped, strict=True)):
            if left != right:
                return _first_difference(left, right, f"{path}[{index}]")
    return f"{path}: emitted {emitted!r:.60} but the model gives {dumped!r:.60}"
