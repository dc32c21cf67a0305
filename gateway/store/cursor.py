"""Opaque keyset cursors: the last row's sort key and id, bound to the query that produced them."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from gateway.search import InvalidSearchError

SortValue = int | float | str


@dataclass(frozen=True, slots=True)
class Cursor:
    """Position after which the next page starts; ``fingerprint`` names the query it belongs to."""

    fingerprint: str
    sort_value: SortValue | None
    last_id: str

    def encode(self) -> str:
        payload = json.dumps([self.fingerprint, self.sort_value, self.last_id], separators=(",", ":"))
        return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, *, fingerprint: str) -> Cursor:
        """Parse ``text``; ``InvalidSearchError`` when malformed or issued for another query."""
        try:
            raw = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            found, sort_value, last_id = raw
        except (ValueError, TypeError, binascii.Error):
            raise InvalidSearchError("_cursor is malformed") from None
        if found != fingerprint or not isinstance(last_id, str):
            raise InvalidSearchError("_cursor does not belong to this search")
        if sort_value is not None and not isinstance(sort_value, int | float | str):
            raise InvalidSearchError("_cursor is malformed")
        return cls(found, sort_value, last_id)
