"""Reference strings reduced to the canonical ``Type/id`` the index stores and queries compare."""

from __future__ import annotations

import re

_TYPE_ID = re.compile(r"(?:.*/)?(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?")


def normalize_reference(reference: str) -> tuple[str, str] | None:
    """``(type, id)`` from a relative (``Patient/1``) or absolute (``http://x/fhir/Patient/1``) reference.

    Contained (``#x``), logical or otherwise unparseable references give None.
    """
    match = _TYPE_ID.fullmatch(reference.strip())
    if match is None:
        return None
    return match["type"], match["id"]
