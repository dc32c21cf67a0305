"""Scope enforcement for SMART app tokens: the one place the facade asks what an app may read.

Sits inside the bearer check. Requests with the static facade token (scripts, `fhirgate mcp`) pass
untouched. For a SMART app token: only reads (GET/HEAD, and ``POST _search``); the resource types a
request names (its path, a system search's ``_type``) must all be granted, else 403 ``forbidden``; any
other operation (``$refill``, ``$send``, ``$export``) is refused. Bundles (``_include``/``_revinclude``
results, ``$everything``) are filtered to the granted types before they leave.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.facade.outcomes import outcome_response
from gateway.smart_server.errors import ScopeRefusedError
from gateway.smart_server.scopes import ScopeGrant

__all__ = ["ScopeEnforcementMiddleware", "refusal_for"]

_READ_METHODS = frozenset({"GET", "HEAD"})
_ALWAYS_KEPT = frozenset({"OperationOutcome"})


def refusal_for(grant: ScopeGrant, method: str, path: str, query: str) -> ScopeRefusedError | None:
    """Why this request is outside the grant, or None when it is inside."""
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] != "fhir":
        return None
    rest = parts[1:]
    if rest in (["metadata"], [".well-known", "smart-configuration"]):
        return None
    search_post = method == "POST" and len(rest) == 2 and rest[1] == "_search"
    everything = len(rest) == 3 and rest[0] == "Patient" and rest[2] == "$everything"
    if method not in _READ_METHODS and not search_post and not (everything and method == "POST"):
        return ScopeRefusedError("SMART app tokens only read: writes are for the person, not for apps.")
    if any(p.startswith("$") for p in rest) and not everything:
        return ScopeRefusedError("This operation is not available to SMART app tokens.")
    if not rest:
        named = [t for v in parse_qs(query).get("_type", []) for t in v.split(",") if t]
        types = named or ["*"]
    elif len(rest) == 3 and rest[0] == "Patient" and not rest[2].startswith(("$", "_")):
        types = [rest[2]]  # a compartment search (`Patient/{id}/Observation`) returns that type
    else:
        types = [rest[0]]
    refused = [t for t in types if not grant.may_read(t)]
    if refused:
        return ScopeRefusedError(f"The app's scopes do not allow reading {', '.join(refused)[:200]}.")
    return None


def filtered_bundle(body: bytes, grant: ScopeGrant, *, everything: bool = False) -> bytes | None:
    """The Bundle without entries of types outside the grant; None when nothing had to go."""
    try:
        bundle: Any = json.loads(body)
    except ValueError:
        return None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        return None
    entries = bundle.get("entry") or []
    kept = [
        e
        for e in entries
        if (t := (e.get("resource") or {}).get("resourceType")) in _ALWAYS_KEPT or grant.may_read(str(t))
    ]
    if len(kept) == len(entries):
        return None
    bundle["entry"] = kept
    if everything:
        bundle.pop("total", None)  # it counted every type; a search's total counts its matches, all granted
    return json.dumps(bundle, separators=(",", ":")).encode()


class ScopeEnforcementMiddleware:
    def __init__(self, app: ASGIApp, *, scope_grant: Callable[[str], ScopeGrant | None]) -> None:
        self.app = app
        self._scope_grant = scope_grant

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        grant = self._grant(scope) if scope["type"] == "http" else None
        if grant is None:
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        refusal = refusal_for(grant, scope["method"], scope["path"], query)
        if refusal is not None:
            await outcome_response(refusal)(scope, receive, send)
            return
        await self._filtered(grant, scope, receive, send)

    def _grant(self, scope: Scope) -> ScopeGrant | None:
        scheme, _, credentials = Headers(scope=scope).get("authorization", "").partition(" ")
        return self._scope_grant(credentials.strip()) if scheme.lower() == "bearer" and credentials else None

    async def _filtered(self, grant: ScopeGrant, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            assert start is not None
            body = b"".join(chunks)
            is_json = "json" in Headers(raw=start["headers"]).get("content-type", "")
            everything = str(scope["path"]).endswith("/$everything")
            kept = filtered_bundle(body, grant, everything=everything) if is_json else None
            if kept is not None:
                body = kept
                headers = MutableHeaders(raw=list(start["headers"]))
                headers["content-length"] = str(len(body))
                if "etag" in headers:
                    del headers["etag"]
                start = {**start, "headers": headers.raw}
            await send(start)
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, buffer)
