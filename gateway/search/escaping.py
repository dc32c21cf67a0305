"""FHIR search value escaping: ``\\,`` ``\\|`` ``\\$`` ``\\\\`` are literal; bare ones are separators."""

from __future__ import annotations


def split_escaped(text: str, separator: str, *, maxsplit: int = -1) -> list[str]:
    """Split ``text`` on unescaped ``separator``; escapes are kept in the parts (see ``unescape``)."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == separator and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def unescape(text: str) -> str:
    """Drop the backslash of every escape sequence (a trailing lone backslash is kept)."""
    out: list[str] = []
    escaped = False
    for ch in text:
        if escaped or ch != "\\":
            out.append(ch)
            escaped = False
        else:
            escaped = True
    if escaped:
        out.append("\\")
    return "".join(out)
