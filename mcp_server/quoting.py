"""Quoting a value back to the model, bounded: the one way mcp_server echoes an argument or a foreign string.

A tool argument can be a megabyte, or carry control and bidi characters; an error that echoes it
shows at most `INPUT_QUOTE_LIMIT` printable characters (whitespace runs as one space), then `…`.
"""

from __future__ import annotations

from fhir_client.errors import quoted

__all__ = ["INPUT_QUOTE_LIMIT", "bounded_text", "quote_input"]

INPUT_QUOTE_LIMIT = 200


def bounded_text(value: object, limit: int = INPUT_QUOTE_LIMIT) -> str:
    """`value` as printable text of at most `limit` characters (then `…`)."""
    return quoted(value, limit)


def quote_input(value: object, limit: int = INPUT_QUOTE_LIMIT) -> str:
    """`value` as a quoted literal for a message, e.g. `'Obsrvation'`, bounded like `bounded_text`."""
    return repr(bounded_text(value, limit))
