"""How the sandbox EHR imitates eClinicalWorks (the `ecw` profile), as eCW's published answers show.

- smart-configuration: issuer equal to the FHIR base, no revocation endpoint, and a per-type
  `scopes_supported` (`.read`, `.rs` and category forms, `patient/*.r`, `patient/*.*`, but not
  `patient/*.rs` or `patient/*.read`); a scope it does not list is refused at the token endpoint
  with `invalid_grant` (400).
- Public clients get no refresh token (`offline_access` is for confidential clients).
- Compartment searches must name the patient (`patient=`; `_id` for Patient); `_sort`, `_total`
  and `_count` are not declared and are ignored; `Patient/$everything` is declared, not answered.
- 250 calls per fixed clock minute, `/authorize` and `/token` included; a 429 has no `Retry-After`.
- A patient launch whose `aud` names the provider host is refused with 403.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from fhir_client.everything_fallback import EVERYTHING_TYPES
from fhir_client.scopes import READABLE_TYPES

__all__ = [
    "COMPARTMENT_TYPES",
    "ECW_CAPABILITIES",
    "FixedMinuteLimit",
    "ecw_capability",
    "ecw_scopes",
    "ecw_smart_configuration",
    "ignored_result_parameters",
    "missing_patient",
    "unlisted_scopes",
]

COMPARTMENT_TYPES = tuple(t for t in EVERYTHING_TYPES if t != "Patient")
"""The types eCW declares searchable by ``patient`` (US Core 6 patient-facing, as fhirgate reads them)."""
_CATEGORIES = {
    "Observation": ("laboratory", "vital-signs", "social-history", "survey", "exam"),
    "Condition": ("problem-list-item", "encounter-diagnosis", "health-concern"),
    "DocumentReference": ("clinical-note",),
}
ECW_CAPABILITIES = [
    "launch-ehr",
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "client-confidential-asymmetric",
    "context-standalone-patient",
    "permission-offline",
    "permission-patient",
    "permission-v1",
    "permission-v2",
    "sso-openid-connect",
]
_IGNORED = frozenset({"_sort", "_total", "_count"})
_UNDECLARED = frozenset({"_content", "_text"})  # eCW offers no full-text search


def ecw_scopes() -> list[str]:
    """A `scopes_supported` shaped like eCW's: per type and per category, no `patient/*.rs`."""
    scopes = ["openid", "fhirUser", "launch/patient", "offline_access", "patient/*.r", "patient/*.*"]
    for resource_type in sorted(READABLE_TYPES):
        scopes += [f"patient/{resource_type}.read", f"patient/{resource_type}.rs", f"patient/{resource_type}.r"]
        for category in _CATEGORIES.get(resource_type, ()):
            scopes.append(f"patient/{resource_type}.rs?category={category}")
    return scopes


def unlisted_scopes(requested: list[str]) -> list[str]:
    listed = set(ecw_scopes())
    return [scope for scope in requested if scope not in listed]


def ecw_smart_configuration(fhir_base: str, oauth: str) -> dict[str, Any]:
    return {
        "issuer": fhir_base,
        "jwks_uri": f"{oauth}/jwks",
        "authorization_endpoint": f"{oauth}/authorize",
        "token_endpoint": f"{oauth}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": ecw_scopes(),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "capabilities": ECW_CAPABILITIES,
    }


def ecw_capability(body: dict[str, Any]) -> dict[str, Any]:
    """The facade's CapabilityStatement reshaped like eCW's: `patient` on every clinical type,
    no result parameters declared."""
    for rest in body.get("rest") or []:
        rest["documentation"] = "eClinicalWorks-like sandbox: search a patient's record with patient=<id>"
        for resource in rest.get("resource") or []:
            params = [p for p in resource.get("searchParam") or [] if p.get("name") not in _IGNORED | _UNDECLARED]
            if resource.get("type") in COMPARTMENT_TYPES and not any(p.get("name") == "patient" for p in params):
                params.append({"name": "patient", "type": "reference"})
            resource["searchParam"] = params
    return body


def missing_patient(resource_type: str, query: list[tuple[str, str]]) -> str | None:
    """Why a type-level search is refused for not naming the patient, or None."""
    names = {name.split(":")[0] for name, _ in query}
    if resource_type == "Patient" and "_id" not in names:
        return "Patient searches must give _id (the patient in the token)"
    if resource_type in COMPARTMENT_TYPES and not names & {"patient", "subject"}:
        return f"{resource_type} searches must give patient=<id>"
    return None


def ignored_result_parameters(query_string: bytes) -> bytes:
    """The query without `_sort`, `_total` and `_count`, which eCW does not declare."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, v) for k, v in pairs if k not in _IGNORED]).encode("latin-1")


class FixedMinuteLimit:
    """ASGI middleware: `limit` calls per fixed clock minute over the FHIR API, `/authorize` and
    `/token`; beyond that 429 (no `Retry-After`) until the minute ends."""

    def __init__(self, app: ASGIApp, limit: int, clock: Callable[[], float], counted: tuple[str, ...]) -> None:
        self._app, self._limit, self._clock, self._counted = app, limit, clock, counted
        self._minute, self._calls = -1, 0
        self._lock = threading.Lock()
        self.refused = 0

    def _admit(self) -> bool:
        minute = math.floor(self._clock() / 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._calls = minute, 0
            self._calls += 1
            if self._calls > self._limit:
                self.refused += 1
                return False
            return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self._counted) and not self._admit():
            body = {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "error", "code": "throttled", "diagnostics": "Too many requests"}],
            }
            response = JSONResponse(body, status_code=429, media_type="application/fhir+json")
            await response(scope, receive, send)
            return
        await self._app(scope, receive, send)
