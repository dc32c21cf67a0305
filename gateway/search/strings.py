"""Normalization for string search: case-insensitive and accent-insensitive, whitespace collapsed."""

from __future__ import annotations

import unicodedata


def normalize_string(value: str) -> str:
    """Fold ``value`` for prefix matching: strip accents (NFKD, drop combining marks), casefold, squash spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
