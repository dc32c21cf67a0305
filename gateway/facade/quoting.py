"""``bounded_quote``: the one way the facade quotes caller input back in an OperationOutcome.

An error names what it refused, but never echoes a 100,000-character id in full (DESIGN.md §8: any
input quoted back is cut to ~200 characters, its full length noted).
"""

from __future__ import annotations

QUOTE_LIMIT = 200
# Whole diagnostics are cut too, as a backstop for messages that quote input some other way.
DIAGNOSTICS_LIMIT = 1000


def bounded_quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` itself when short; else its first ``limit`` characters, an ellipsis and its length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"
