"""Continuation cursors: opaque, HMAC-signed tokens the model passes back to continue an answer.

A cursor carries where each source's answer stopped (the page URL and the row offset in it,
so an answer can continue mid-page) and a fingerprint of the query and sources it belongs
to. It is signed with a key held by this server process, so a cursor that was edited, made
up, or issued for another query or another server is refused rather than followed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from typing import Any

__all__ = ["CursorSigner", "InvalidCursorError", "query_fingerprint"]

_PREFIX = "c2."
_MAX_LENGTH = 16_384
_MAC_BYTES = 12  # a 96-bit HMAC-SHA256 tag: forging one is still out of reach, and the cursor is shorter


class InvalidCursorError(ValueError):
    """The cursor is malformed, was altered, or belongs to another query or server."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def query_fingerprint(tool: str, arguments: Mapping[str, Any]) -> str:
    """A short digest of the tool and its query arguments (cursor and budget excluded by the caller)."""
    canonical = json.dumps([tool, arguments], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


class CursorSigner:
    """Signs and checks cursors with one secret key (random per process unless one is given)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key is not None else secrets.token_bytes(32)

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]

    def sign(self, fingerprint: str, state: Mapping[str, Any]) -> str:
        """A cursor holding `state` for the query with `fingerprint`."""
        body = json.dumps({"q": fingerprint, "s": state}, separators=(",", ":")).encode()
        return f"{_PREFIX}{_b64(body)}.{_b64(self._mac(body))}"

    def open(self, cursor: str, fingerprint: str) -> dict[str, Any]:
        """The state inside `cursor` if it is genuine and belongs to `fingerprint`; else `InvalidCursorError`."""
        cursor = cursor.strip()
        if not cursor.startswith(_PREFIX) or len(cursor) > _MAX_LENGTH or cursor.count(".") != 2:
            raise InvalidCursorError("this is not a cursor issued by this server")
        body_text, mac_text = cursor.removeprefix(_PREFIX).split(".")
        try:
            body, mac = _unb64(body_text), _unb64(mac_text)
        except (binascii.Error, ValueError):
            raise InvalidCursorError("the cursor is damaged (it does not decode)") from None
        if not hmac.compare_digest(mac, self._mac(body)):
            raise InvalidCursorError(
                "the cursor's signature does not match: it was altered, or issued by another fhirgate "
                "server process (cursors do not survive a restart)"
            )
        payload = json.loads(body)
        if payload.get("q") != fingerprint:
            raise InvalidCursorError(
                "the cursor belongs to a different query or source; pass it with exactly the same "
                "arguments as the call that returned it"
            )
        state = payload.get("s")
        if not isinstance(state, dict):
            raise InvalidCursorError("the cursor is damaged (no state)")
        return state
