"""Deterministic FHIR logical ids and the fhirgate identifier-system URIs for Kaiser's own keys."""

from __future__ import annotations

import hashlib
import re

FHIR_ID_PATTERN = re.compile(r"[A-Za-z0-9\-.]{1,64}")
"""FHIR R4 ``id`` datatype (full-match)."""

_KEY_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in a surface name, so (surface, key) pairs never collide
_ID_LENGTH = 32  # 128 bits of sha256: collision-free in practice, and well inside FHIR's 64-char limit


def stable_id(surface: str, key: str) -> str:
    """The logical id of the resource that ``key`` (already kind-prefixed, e.g. ``dr:<orderKey>``) names on ``surface``.

    Same input, same id, on every sync: re-syncs update resources instead of duplicating them.
    """
    digest = hashlib.sha256(f"{surface}{_KEY_SEPARATOR}{key}".encode()).hexdigest()
    return digest[:_ID_LENGTH]


def identifier_system(region: str, kind: str) -> str:
    """``urn:fhirgate:kaiser:<region>:<kind>``: the system under which Kaiser's opaque ``kind`` keys are kept."""
    return f"urn:fhirgate:kaiser:{region.strip().lower()}:{kind}"
