"""Request authentication for the FHIR client.

The client authenticates every request through an `httpx2.Auth`. A fixed token uses
`BearerTokenAuth`; SMART sources use `fhir_client.smart_session.SmartAuth`, whose async flow
refreshes before expiry and retries once on 401, without the client changing.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx2

__all__ = ["BearerTokenAuth"]


class BearerTokenAuth(httpx2.Auth):
    """Send `Authorization: Bearer <token>` with every request. The token never appears in repr."""

    def __init__(self, token: str) -> None:
        if not token or any(ch.isspace() for ch in token):
            raise ValueError("a bearer token must be non-empty and contain no whitespace")
        self._token = token

    def __repr__(self) -> str:
        return "BearerTokenAuth(token=<redacted>)"

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request
