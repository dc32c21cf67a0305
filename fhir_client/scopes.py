"""SMART scopes, built in one place from what the server advertises.

SMART v1 says `patient/Observation.read`; SMART v2 says `patient/Observation.rs` and can narrow a
scope by category (`patient/Observation.rs?category=<system>|laboratory`). A server that lists
`permission-v2` in `capabilities`, or v2-style scopes in `scopes_supported`, gets v2 syntax;
otherwise v1, where a category cannot be expressed and the scope covers the whole type.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence

from fhir_client.smart_discovery import SmartConfiguration

__all__ = ["LAUNCH_SCOPES", "ScopeSyntax", "requested_scopes", "resource_scope", "scope_syntax"]

#: Identity, standalone patient launch and offline refresh: asked of every server.
LAUNCH_SCOPES = ("launch/patient", "openid", "fhirUser", "offline_access")

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_V2_PERMISSIONS = re.compile(r"^(patient|user|system)/[A-Za-z*]+\.c?r?u?d?s?(\?.*)?$")


class ScopeSyntax(enum.Enum):
    V1 = "v1"
    V2 = "v2"


def scope_syntax(config: SmartConfiguration) -> ScopeSyntax:
    """Which scope syntax the server understands (v2 only when it says so)."""
    if "permission-v2" in config.capabilities:
        return ScopeSyntax.V2
    if "permission-v1" in config.capabilities:
        return ScopeSyntax.V1
    resource_scopes = [s for s in config.scopes_supported if "/" in s and not s.startswith("launch")]
    v2 = [s for s in resource_scopes if _V2_PERMISSIONS.match(s) and not s.endswith((".read", ".write"))]
    if resource_scopes and len(v2) == len(resource_scopes):
        return ScopeSyntax.V2
    return ScopeSyntax.V1


def resource_scope(
    resource_type: str, syntax: ScopeSyntax, *, category: str | None = None, category_system: str = OBSERVATION_CATEGORY
) -> str:
    """Read access to `resource_type` (`*` for all), narrowed to `category` where v2 allows it."""
    if syntax is ScopeSyntax.V1:
        return f"patient/{resource_type}.read"
    scope = f"patient/{resource_type}.rs"
    return f"{scope}?category={category_system}|{category}" if category else scope


def requested_scopes(
    config: SmartConfiguration,
    *,
    resource_types: Sequence[str] = ("*",),
    categories: Iterable[tuple[str, str]] = (),
    syntax: ScopeSyntax | None = None,
) -> list[str]:
    """The scope list for an authorize request: launch scopes, then read scopes per resource type.

    `categories` are `(resource_type, category code)` pairs, used instead of the whole-type scope
    in v2 syntax. A server that lists `scopes_supported` and lacks a launch scope is not asked for it.
    """
    syntax = syntax or scope_syntax(config)
    supported = set(config.scopes_supported)
    scopes = [s for s in LAUNCH_SCOPES if not supported or s in supported]
    narrowed: dict[str, list[str]] = {}
    for resource_type, category in categories:
        narrowed.setdefault(resource_type, []).append(category)
    for resource_type in resource_types:
        if syntax is ScopeSyntax.V2 and resource_type in narrowed:
            scopes.extend(resource_scope(resource_type, syntax, category=c) for c in narrowed[resource_type])
        else:
            scopes.append(resource_scope(resource_type, syntax))
    for resource_type, codes in narrowed.items():
        if resource_type not in resource_types and "*" not in resource_types:
            if syntax is ScopeSyntax.V2:
                scopes.extend(resource_scope(resource_type, syntax, category=c) for c in codes)
            else:
                scopes.append(resource_scope(resource_type, syntax))
    return list(dict.fromkeys(scopes))
