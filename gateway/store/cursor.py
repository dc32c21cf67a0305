"""Opaque keyset cursors: a page boundary's sort keys and id, its direction, bound to the query that made it."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from gateway.search import InvalidSearchError

SortValue = int | float | str


@dataclass(frozen=True, slots=True)
class Cursor:
    """A page boundary: ``forward`` pages start after it, backward (``previous``) pages end before it."""

    fingerprint: str
    sort_values: tuple[SortValue, ...]
    last_id: str
    forward: bool = True

    def encode(self) -> str:
        payload = [self.fingerprint, list(self.sort_values), self.last_id, "n" if self.forward else "p"]
        text = json.dumps(payload, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, fingerprint: str) -> Cursor:
        """Parse ``text``; ``InvalidSearchError`` when malformed or issued for another query."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            found, sort_values, last_id, direction = raw
        except (ValueError, TypeError, binascii.Error):
            raise InvalidSearchError("_cursor is malformed") from None
        if found != fingerprint or not isinstance(last_id, str):
            raise InvalidSearchError("_cursor does not belong to this search")
        if not isinstance(sort_values, list) or direction not in ("n", "p"):
            raise InvalidSearchError("_cursor is malformed")
        if not all(isinstance(v, int | float | str) and not isinstance(v, bool) for v in sort_values):
            raise InvalidSearchError("_cursor is malformed")
        return cls(found, tuple(sort_values), last_id, direction == "n")
