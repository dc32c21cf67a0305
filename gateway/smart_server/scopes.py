"""SMART scopes: what a granted scope string lets an app do.

Patient-level clinical scopes in the v1 form (``patient/Observation.read``, ``patient/*.read``) and the
v2 form (``patient/Observation.rs``, ``patient/*.rs``, any permission string containing ``r`` or ``s``)
grant reading of a resource type; ``.write``/``c``/``u``/``d`` permissions are never granted (a SMART app
token never writes). ``user/`` and ``system/`` scopes are not offered: the facade serves one person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SUPPORTED_SCOPES", "ScopeGrant", "grant_for"]

SUPPORTED_SCOPES = (
    "openid",
    "fhirUser",
    "launch/patient",
    "offline_access",
    "patient/*.read",
    "patient/*.rs",
)
ALL_TYPES = "*"
_CLINICAL = re.compile(r"^patient/(\*|[A-Z][A-Za-z]{1,63})\.(read|[cruds]{1,5})$")
_CONTEXT = frozenset({"openid", "fhirUser", "launch/patient", "offline_access", "online_access", "profile"})


@dataclass(frozen=True)
class ScopeGrant:
    """The granted part of a requested scope string (unknown or write scopes are dropped)."""

    scopes: tuple[str, ...]
    readable: frozenset[str]
    """Resource types the app may read (``*`` for every type)."""

    @property
    def text(self) -> str:
        return " ".join(self.scopes)

    def has(self, scope: str) -> bool:
        return scope in self.scopes

    def may_read(self, resource_type: str) -> bool:
        return ALL_TYPES in self.readable or resource_type in self.readable


def grant_for(requested: str) -> ScopeGrant:
    """What fhirgate grants of ``requested`` (space-separated): reads and launch context only."""
    granted: list[str] = []
    readable: set[str] = set()
    for scope in dict.fromkeys(requested.split()[:64]):
        if scope in _CONTEXT:
            granted.append(scope)
            continue
        match = _CLINICAL.match(scope)
        if match is None:
            continue
        resource_type, permissions = match.groups()
        reads = "read" if permissions == "read" else "".join(c for c in permissions if c in "rs")
        if reads:
            granted.append(f"patient/{resource_type}.{reads}")  # `.cruds` is granted as `.rs`
            readable.add(resource_type)
    return ScopeGrant(tuple(granted), frozenset(readable))
