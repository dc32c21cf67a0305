"""Deterministic Epic-style ``WP-`` ids for things the sandbox derives on the fly (never real)."""

from __future__ import annotations

import base64
import hashlib

__all__ = ["wp_id"]


def wp_id(*parts: str, length: int = 84) -> str:
    digest = b"".join(hashlib.sha256(f"{i}:{'/'.join(parts)}".encode()).digest() for i in range(3))
    return "WP-" + base64.urlsafe_b64encode(digest).decode().rstrip("=")[: length - 3]
