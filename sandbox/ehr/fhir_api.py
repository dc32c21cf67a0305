"""The sandbox EHR's FHIR API: the facade's engine served at `/fhir/r4/<orgId>` like eClinicalWorks.

In front of the facade this adds what a practice adds: the 250 calls/min limit (429 with
`Retry-After`), scope enforcement by resource type, and the fault switches (429, 5xx bursts,
foreign `next` links). The facade's routes live at `/fhir`, so requests are re-pathed into it and
the absolute URLs in its answers (Bundle links, `fullUrl`) are re-based onto the practice's path;
the CapabilityStatement gains the SMART `oauth-uris` extension for discovery without
`.well-known`. The `ecw` profile adds eClinicalWorks' rules (`ecw_profile`): the patient named on
compartment searches, result parameters ignored, `$everything` unanswered; its rate limit is the
fixed-minute middleware around the whole app, so the rolling window here is the generic profile's.
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.ehr.config import EhrConfig
from sandbox.ehr.ecw_profile import ecw_capability, ignored_result_parameters, missing_patient
from sandbox.ehr.grants import GrantLedger

__all__ = ["FOREIGN_ORIGIN", "FhirApi", "RateWindow", "scope_allows"]

FOREIGN_ORIGIN = "http://foreign.example"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"


class RateWindow:
    """At most `limit` calls in any rolling 60 s; `retry_after()` says when the next one fits."""

    def __init__(self, limit: int, clock: Callable[[], float]) -> None:
        self._limit, self._clock = limit, clock
        self._calls: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> float | None:
        """Record a call and return `None`, or the seconds to wait when the window is full."""
        now = self._clock()
        with self._lock:
            while self._calls and self._calls[0] <= now - 60.0:
                self._calls.popleft()
            if len(self._calls) >= self._limit:
                return self._calls[0] + 60.0 - now
            self._calls.append(now)
            return None


def scope_allows(scopes: list[str], resource_type: str) -> bool:
    """Whether SMART v1 or v2 patient scopes grant reading `resource_type` (categories not narrowed)."""
    for scope in scopes:
        target, _, permission = scope.partition("?")[0].removeprefix("patient/").partition(".")
        if not scope.startswith("patient/") or target not in ("*", resource_type):
            continue
        if permission in ("read", "*") or ("r" in permission and "s" in permission and permission != "write"):
            return True
    return False


def _outcome(status: int, code: str, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": code, "diagnostics": text}]}
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/fhir+json")


class FhirApi:
    """ASGI app mounted at `prefix` (`/fhir/r4/<orgId>`) in front of the facade."""

    def __init__(self, facade: ASGIApp, config: EhrConfig, ledger: GrantLedger, prefix: str) -> None:
        self._facade, self._config, self._ledger, self._prefix = facade, config, ledger, prefix
        self._ecw = config.profile == "ecw"
        self._window = None if self._ecw else RateWindow(config.rate_limit_per_minute, config.clock)
        self._fault_lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._facade(scope, receive, send)
            return
        rest = scope["path"][len(self._prefix) :] if scope["path"].startswith(self._prefix) else scope["path"]
        refusal = self._refusal(scope, rest)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        inner = dict(scope, path="/fhir" + (rest or "/"), raw_path=("/fhir" + rest).encode(), root_path="")
        if self._ecw:
            inner["query_string"] = ignored_result_parameters(scope.get("query_string", b""))
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self._facade(inner, receive, capture)
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        origin = str(Request(scope).base_url).rstrip("/")
        headers = Headers(raw=start["headers"])
        if start["status"] == 200 and "json" in headers.get("content-type", ""):
            body = self._rebase(json.loads(body), origin)
        kept = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        await Response(body, status_code=start["status"], headers=kept)(scope, receive, send)

    def _refusal(self, scope: Scope, rest: str) -> Response | None:
        faults = self._config.faults
        if faults.rate_limited:
            return _outcome(429, "throttled", "rate limit exceeded", {"Retry-After": str(faults.retry_after)})
        wait = self._window.admit() if self._window is not None else None
        if wait is not None:
            limit = f"{self._config.rate_limit_per_minute} calls per minute exceeded"
            return _outcome(429, "throttled", limit, {"Retry-After": str(math.ceil(wait))})
        with self._fault_lock:
            if faults.server_errors > 0:
                faults.server_errors -= 1
                return _outcome(503, "transient", "service temporarily unavailable")
        segments = rest.strip("/").split("/")
        resource_type = segments[0]
        if resource_type in ("", "metadata"):
            return None
        if self._ecw and segments[-1] == "$everything":
            return _outcome(404, "not-supported", "Patient/$everything is not supported")
        if self._ecw and len(segments) == 1 and scope["method"] == "GET":
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            if (why := missing_patient(resource_type, query)) is not None:
                return _outcome(400, "required", why)
        scheme, _, token = Headers(scope=scope).get("authorization", "").partition(" ")
        grant = self._ledger.access_grant(token.strip()) if scheme.lower() == "bearer" else None
        if grant is not None and not scope_allows(grant.scope.split(), resource_type):
            return _outcome(403, "forbidden", f"the granted scopes do not include reading {resource_type}")
        return None

    def _rebase(self, body: Any, origin: str) -> bytes:
        inner, outer = f"{origin}/fhir/", f"{origin}{self._prefix}/"
        if isinstance(body, dict) and body.get("resourceType") == "Bundle":
            for link in body.get("link") or []:
                link["url"] = str(link.get("url", "")).replace(inner, outer, 1)
                if link.get("relation") == "next" and self._config.faults.foreign_next_link:
                    link["url"] = link["url"].replace(origin, FOREIGN_ORIGIN, 1)
            for entry in body.get("entry") or []:
                if "fullUrl" in entry:
                    entry["fullUrl"] = str(entry["fullUrl"]).replace(inner, outer, 1)
        elif isinstance(body, dict) and body.get("resourceType") == "CapabilityStatement":
            uris = [("authorize", "authorize"), ("token", "token")] + ([] if self._ecw else [("revoke", "revoke")])
            extension = {
                "url": OAUTH_URIS,
                "extension": [{"url": name, "valueUri": f"{origin}/oauth/oauth2/{path}"} for name, path in uris],
            }
            for rest in body.get("rest") or []:
                rest.setdefault("security", {}).setdefault("extension", []).append(extension)
            if self._ecw:
                body = ecw_capability(body)
        return json.dumps(body, separators=(",", ":")).encode()
