"""The value type every summarizer returns, and the small readers they share (notes, status)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SHORT_TEXT", "Summarizer", "Summary", "notes_of", "status_of"]

#: Free text shorter than this, on one line, may stay in a row cell (e.g. valueString "Negative").
SHORT_TEXT = 40


@dataclass
class Summary:
    """Row cells (empty ones dropped when rendered) and labelled free-text passages."""

    cells: list[str]
    prose: list[tuple[str, str]] = field(default_factory=list)


Summarizer = Callable[[Mapping[str, Any]], Summary]


def notes_of(resource: Mapping[str, Any]) -> list[tuple[str, str]]:
    notes = resource.get("note")
    if not isinstance(notes, list):
        return []
    return [("note", n["text"]) for n in notes if isinstance(n, Mapping) and isinstance(n.get("text"), str)]


def status_of(resource: Mapping[str, Any]) -> str:
    status = resource.get("status")
    return status if isinstance(status, str) else ""
