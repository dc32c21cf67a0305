"""Matching a text query against resources fetched from a source whose server offers no ``_content``.

The words come from the same table the Kaiser index uses (``gateway.search.text_fields``), so a practice's
message or note is searched in the same elements. The syntax is simpler than the index's: every word and
``"quoted phrase"`` must appear (case-insensitive, at the start of a word; ``word*`` and ``word`` both match
as prefixes), ``AND``/``OR``/``NOT`` and parentheses are ignored. The score counts the hits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["LocalMatch", "local_match", "query_terms"]

SNIPPET_WORDS = 24
_TERM = re.compile(r'"([^"]*)"|([^\s"()]+)')
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True, slots=True)
class LocalMatch:
    score: float
    snippet: str


def query_terms(query: str) -> list[str]:
    """The words and phrases of ``query`` that must all appear (lower case, operators and ``*`` dropped)."""
    terms: list[str] = []
    for phrase, word in _TERM.findall(query):
        term = phrase or ("" if word in _OPERATORS else word.rstrip("*"))
        term = " ".join(term.lower().split())
        if re.search(r"\w", term):
            terms.append(term)
    return terms


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(part) for part in term.split()), re.IGNORECASE)


def local_match(resource: dict[str, Any], terms: list[str]) -> LocalMatch | None:
    """Score and snippet of ``resource`` when every term appears in its text, else None."""
    # Imported on first use: gateway.search loads its parameter tables, which `fhirgate mcp` need not wait for.
    from gateway.search.text_fields import resource_text

    words = resource_text(resource)
    text = "\n".join(part for part in (words.narrative, words.content) if part)
    if not text or not terms:
        return None
    patterns = [_pattern(term) for term in terms]
    hits = [list(pattern.finditer(text)) for pattern in patterns]
    if not all(hits):
        return None
    first = min(found[0].start() for found in hits)
    return LocalMatch(float(sum(len(found) for found in hits)), _snippet(text, first, patterns))


def _snippet(text: str, first: int, patterns: list[re.Pattern[str]]) -> str:
    before = text[:first].split()
    after = text[first:].split()
    start = max(len(before) - SNIPPET_WORDS // 3, 0)
    kept = before[start:] + after[: SNIPPET_WORDS - (len(before) - start)]
    snippet = " ".join(kept)
    for pattern in patterns:
        snippet = pattern.sub(lambda hit: f"[{hit.group()}]", snippet)
    lead = "…" if start > 0 else ""
    tail = "…" if len(before) - start + len(after) > len(kept) else ""
    return f"{lead}{snippet}{tail}"
