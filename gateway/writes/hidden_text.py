"""Finding content a person would not see in a message preview: control characters, format characters
(bidi overrides, zero-width characters, soft hyphens), line/paragraph separators and long whitespace runs.

A message is refused while it holds any of them: what the user approves must be what the portal sends.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_MESSAGE_CHARACTERS", "MAX_SUBJECT_CHARACTERS", "hidden_content"]

MAX_MESSAGE_CHARACTERS = 10_000
MAX_SUBJECT_CHARACTERS = 200
_ALLOWED_CONTROLS = {"\n", "\t"}
_WHITESPACE_RUN = re.compile(r"[ \t]{16,}|\n{4,}|(?:[ \t]*\n){4,}")


def hidden_content(field: str, value: str) -> list[str]:
    """Why ``value`` (the message's ``field``) could hide something from the person approving it."""
    problems: list[str] = []
    invisible = sorted(
        {
            f"U+{ord(char):04X}"
            for char in value
            if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Co", "Cn"}
        }
    )
    if invisible:
        shown = ", ".join(invisible[:8]) + (", ..." if len(invisible) > 8 else "")
        problems.append(
            f"the {field} contains invisible or control characters ({shown}); remove them so what is approved is "
            "what is sent"
        )
    if _WHITESPACE_RUN.search(value):
        problems.append(
            f"the {field} contains a long run of spaces or blank lines that would push text out of view; shorten it"
        )
    return problems
