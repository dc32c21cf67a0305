"""Quoting a value back to the model, bounded: the one way mcp_server echoes an argument or a foreign string.

A tool argument can be a megabyte, or carry control and bidi characters; a message that echoes it
shows at most `INPUT_QUOTE_LIMIT` printable characters (whitespace runs as one space). A longer
text keeps its start and its end around `…`, since a message often says what was wrong at its end.
"""

from __future__ import annotations

__all__ = ["INPUT_QUOTE_LIMIT", "bounded_text", "quote_input"]

INPUT_QUOTE_LIMIT = 200


def _printable(text: str) -> str:
    return "".join(char for char in " ".join(text.split()) if char.isprintable())


def bounded_text(value: object, limit: int = INPUT_QUOTE_LIMIT) -> str:
    """`value` as printable text of at most `limit` characters (start, `…`, end when longer)."""
    text = str(value)
    if len(text) > limit * 4:  # never scan a megabyte for a few hundred characters
        text = f"{text[: limit * 2]} {text[-limit * 2 :]}"
    text = _printable(text)
    if len(text) <= limit:
        return text
    tail = limit // 3
    return f"{text[: limit - tail - 1]}…{text[-tail:]}"


def quote_input(value: object, limit: int = INPUT_QUOTE_LIMIT) -> str:
    """`value` as a quoted literal for a message, e.g. `'Obsrvation'`, bounded like `bounded_text`."""
    return repr(bounded_text(value, limit))
