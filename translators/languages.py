"""The portal's ``preferredLanguage`` -> ``Patient.communication`` (BCP 47, as US Core's language binding asks).

A well-formed BCP 47 tag (``en``, ``es-MX``; the portal also writes ``EN``) becomes a ``urn:ietf:bcp:47``
coding in the tag's canonical case; anything else is kept as text only, never guessed into a code.
"""

from __future__ import annotations

import re
from typing import Any

BCP_47 = "urn:ietf:bcp:47"
_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?")
"""Language with an optional region: the shape of US Core's simple-language value set."""


def preferred_communication(language: str | None) -> list[dict[str, Any]] | None:
    """``[{language, preferred: true}]`` for the patient's preferred language, or ``None`` without one."""
    if language is None:
        return None
    match = _TAG.fullmatch(language)
    if match is None:
        return [{"language": {"text": language}, "preferred": True}]
    code = match[1].lower() + (f"-{match[2].upper()}" if match[2] else "")
    return [{"language": {"coding": [{"system": BCP_47, "code": code}]}, "preferred": True}]
