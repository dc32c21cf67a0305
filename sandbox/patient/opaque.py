"""Opaque identifiers shaped like the portal's (Epic ``WP-`` ids, numeric component ids, NDCs)."""

from __future__ import annotations

import random
import string

__all__ = ["digits", "wp_id"]

_URLSAFE = string.ascii_letters + string.digits + "-_"


def wp_id(rng: random.Random, length: int = 96) -> str:
    """An Epic-style ``WP-24...`` id: the prefix then URL-safe characters, ``length`` in total."""
    prefix = "WP-24"
    return prefix + "".join(rng.choice(_URLSAFE) for _ in range(length - len(prefix)))


def digits(rng: random.Random, count: int) -> str:
    """``count`` random decimal digits (leading zeros allowed)."""
    return "".join(rng.choice(string.digits) for _ in range(count))
