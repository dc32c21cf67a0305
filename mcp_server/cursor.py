"""Continuation cursors: opaque tokens the model passes back to get the next page.

A cursor is the Bundle's `next` URL in URL-safe base64. Decoding checks it is a URL under
the same source's base URL, so a cursor can neither be made up to reach another server nor
replayed against a different source.
"""

from __future__ import annotations

import base64
import binascii

import httpx2

from fhir_client import same_origin

__all__ = ["InvalidCursorError", "decode_cursor", "encode_cursor"]

_PREFIX = "c1."
_MAX_LENGTH = 8192


class InvalidCursorError(ValueError):
    """The cursor is malformed or does not belong to the source it was used with."""


def encode_cursor(next_url: str) -> str:
    """An opaque cursor for a Bundle `next` link."""
    return _PREFIX + base64.urlsafe_b64encode(next_url.encode()).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, base_url: str) -> str:
    """The `next` URL inside `cursor`, if it lies under `base_url`; else `InvalidCursorError`."""
    cursor = cursor.strip()
    if not cursor.startswith(_PREFIX) or len(cursor) > _MAX_LENGTH:
        raise InvalidCursorError("not a cursor produced by fhir_search")
    body = cursor.removeprefix(_PREFIX)
    try:
        url = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        parsed, base = httpx2.URL(url), httpx2.URL(base_url)
    except (binascii.Error, ValueError, httpx2.InvalidURL):
        raise InvalidCursorError("the cursor is damaged (it does not decode)") from None
    base_path = base.path.rstrip("/")
    under_base = parsed.path == base_path or parsed.path.startswith(f"{base_path}/")
    if not (same_origin(url, base_url) and under_base):
        raise InvalidCursorError("the cursor belongs to a different source")
    return url
