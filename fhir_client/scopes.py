"""SMART scopes, built in one place from what the server advertises.

SMART v1 says `patient/Observation.read`; SMART v2 says `patient/Observation.rs` and can narrow a
scope by category (`patient/Observation.rs?category=<system>|laboratory`). A server that lists
`permission-v2` in `capabilities`, or v2-style scopes in `scopes_supported`, gets v2 syntax;
otherwise v1, where a category cannot be expressed and the scope covers the whole type.

A server that lists `scopes_supported` is only asked for scopes it lists: eClinicalWorks lists
about 486 per-type scopes and `patient/*.r`, but neither `patient/*.rs` nor `patient/*.read`, and
refuses an unlisted scope with `invalid_grant`. There the wildcard becomes one per-type scope for
each readable type it lists, v1 `patient/<Type>.read` first (what apps connected to healow use).
`offline_access` is asked only by confidential clients (healow gives public clients no refresh token).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence

from fhir_client.smart_discovery import SmartConfiguration

__all__ = [
    "LAUNCH_SCOPES",
    "READABLE_TYPES",
    "ScopeSyntax",
    "grants_search",
    "requested_scopes",
    "resource_scope",
    "scope_syntax",
]

#: Identity, standalone patient launch and offline refresh: asked of every server.
LAUNCH_SCOPES = ("launch/patient", "openid", "fhirUser", "offline_access")

#: The types a patient app reads (US Core 6 patient-facing), asked one by one where no wildcard is listed.
READABLE_TYPES = (
    "Patient",
    "AllergyIntolerance",
    "CarePlan",
    "CareTeam",
    "Condition",
    "Coverage",
    "Device",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "Goal",
    "Immunization",
    "Location",
    "Medication",
    "MedicationRequest",
    "Observation",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "ServiceRequest",
)
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
    confidential: bool = True,
) -> list[str]:
    """The scope list for an authorize request: launch scopes, then read scopes per resource type.

    `categories` are `(resource_type, category code)` pairs, used instead of the whole-type scope
    in v2 syntax. A server that lists `scopes_supported` is asked only for scopes it lists (the
    wildcard becomes per-type scopes); a public client (`confidential=False`) never asks for
    `offline_access`.
    """
    syntax = syntax or scope_syntax(config)
    supported = set(config.scopes_supported)
    launch = [s for s in LAUNCH_SCOPES if confidential or s != "offline_access"]
    scopes = [s for s in launch if not supported or s in supported]
    narrowed: dict[str, list[str]] = {}
    for resource_type, category in categories:
        narrowed.setdefault(resource_type, []).append(category)
    wanted: list[str] = []
    for resource_type in resource_types:
        if syntax is ScopeSyntax.V2 and resource_type in narrowed:
            wanted.extend(resource_scope(resource_type, syntax, category=c) for c in narrowed[resource_type])
        else:
            wanted.append(resource_scope(resource_type, syntax))
    for resource_type, codes in narrowed.items():
        if resource_type not in resource_types and "*" not in resource_types:
            if syntax is ScopeSyntax.V2:
                wanted.extend(resource_scope(resource_type, syntax, category=c) for c in codes)
            else:
                wanted.append(resource_scope(resource_type, syntax))
    resource_listed = any(s.startswith("patient/") for s in supported)
    for scope in wanted:
        scopes.extend(_listed_forms(scope, supported) if resource_listed else [scope])
    return list(dict.fromkeys(scopes))


def _listed_forms(scope: str, supported: set[str]) -> list[str]:
    """`scope` if the server lists it; otherwise the listed per-type scopes that stand in for it."""
    if scope in supported:
        return [scope]
    target = scope.removeprefix("patient/").split(".", 1)[0]
    types = READABLE_TYPES if target == "*" else (target,)
    chosen: list[str] = []
    for resource_type in types:
        listed = next((f for f in (".read", ".rs") if f"patient/{resource_type}{f}" in supported), None)
        if listed is not None:
            chosen.append(f"patient/{resource_type}{listed}")
    return chosen


def grants_search(granted: Sequence[str], resource_type: str) -> bool | None:
    """Whether granted scopes allow searching `resource_type`; None when they name no resource scope
    (a server that says nothing is asked anyway)."""
    resource_scopes = [s.partition("?")[0] for s in granted if s.startswith(("patient/", "user/"))]
    if not resource_scopes:
        return None
    for scope in resource_scopes:
        target, _, permission = scope.partition("/")[2].partition(".")
        if target not in ("*", resource_type):
            continue
        if permission in ("read", "*") or ("s" in permission and _V2_PERMISSIONS.match(scope)):
            return True
    return False
