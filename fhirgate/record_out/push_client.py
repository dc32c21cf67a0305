"""Sends transaction Bundles to a FHIR server's base URL (``POST [base]``) with an optional bearer token.

A conditional-update transaction is safe to repeat, so 429 and 5xx answers (and lost connections) are
retried with the client's backoff, honouring ``Retry-After``. Failures carry the server's
OperationOutcome summary, bounded, and never the token.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx2

from fhir_client import RetryPolicy, describe_outcome, parse_retry_after, safe_url

FHIR_JSON = "application/fhir+json"
Sleep = Callable[[float], Awaitable[None]]


class PushFailed(Exception):
    """The server refused or failed a transaction; the message is safe to show."""


class TransactionClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = 300.0,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": FHIR_JSON, "Content-Type": FHIR_JSON, "User-Agent": "fhirgate"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._token = token
        self._http = httpx2.AsyncClient(transport=transport, timeout=timeout, headers=headers, follow_redirects=False)
        self._sleep = sleep
        self._retry = retry or RetryPolicy()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def transaction(self, bundle: dict[str, Any]) -> dict[str, Any]:
        """POST ``bundle``; the ``transaction-response`` Bundle, or ``PushFailed``."""
        body = json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode()
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.post(f"{self.base_url}/", content=body)
            except httpx2.TransportError as exc:
                delay = self._retry.delay_for_transport_error(attempt)
                if delay is None:
                    raise PushFailed(f"could not reach {safe_url(self.base_url)} ({type(exc).__name__})") from None
                await self._sleep(delay)
                continue
            if response.is_success:
                return self._answer(response)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            delay = self._retry.delay_for_status(response.status_code, attempt, retry_after)
            if delay is None:
                raise PushFailed(self._refusal(response))
            await self._sleep(delay)

    def _answer(self, response: httpx2.Response) -> dict[str, Any]:
        try:
            answer = json.loads(response.content)
        except ValueError:
            raise PushFailed("the server's answer to a transaction is not JSON") from None
        if not isinstance(answer, dict) or answer.get("resourceType") != "Bundle":
            raise PushFailed("the server did not answer a transaction with a Bundle")
        return answer

    def _refusal(self, response: httpx2.Response) -> str:
        text = response.text.replace(self._token, "<redacted>") if self._token else response.text
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        outcome = body if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome" else None
        summary = describe_outcome(outcome) or "no OperationOutcome"
        return f"HTTP {response.status_code} from {safe_url(self.base_url)}: {summary}"
