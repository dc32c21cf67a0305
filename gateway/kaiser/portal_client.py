"""The request layer for kp.org: cookies, the per-area header contracts, CSRF and page nonces,
expiry detection with one re-login, and bounded retries for 429/5xx.

Redirects are never followed: a 302 to the identity host is the portal's one unambiguous
"session dead" signal (KAISER_API.md §1.4).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx2

from fhirgate.settings import KaiserSettings
from gateway.kaiser.errors import MalformedPayload, PortalContractError, PortalUnavailable, SessionExpired
from gateway.kaiser.session import PortalSession

log = logging.getLogger("fhirgate.kaiser")

Relogin = Callable[[], Awaitable[PortalSession]]
Sleep = Callable[[float], Awaitable[None]]

_CSRF_RE = re.compile(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"')
_NONCE_RE = re.compile(r'nonce="([0-9a-f]{32})"')
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MYCARE_APP = {"X-appName": "rx-order-management", "X-versionId": "3.0.1.2"}


class PortalClient:
    """An authenticated client for the portal's JSON surfaces.

    ``relogin`` is called at most once per request when the session turns out dead; it returns a
    fresh session (an interactive login in the CLI), after which the request is retried once.
    """

    def __init__(
        self,
        kaiser: KaiserSettings,
        session: PortalSession,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        relogin: Relogin | None = None,
        max_retries: int = 3,
        concurrency: int = 4,
        timeout: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.kaiser = kaiser
        self._relogin = relogin
        self._max_retries = max_retries
        self._sleep = sleep
        self._limit = asyncio.Semaphore(concurrency)
        self.request_count = 0
        self._http = httpx2.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)
        self._use_session(session)

    def _use_session(self, session: PortalSession) -> None:
        self.session = session
        self._http.cookies = session.cookie_jar()
        self._http.headers["User-Agent"] = session.user_agent

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> PortalClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- area helpers -------------------------------------------------------------------------

    def mychart_url(self, path: str) -> str:
        return f"{self.kaiser.portal_url}/{self.kaiser.region_prefix}/{path.lstrip('/')}"

    def _mychart_headers(self, referer_path: str) -> dict[str, str]:
        return {
            "Accept": "application/json, text/javascript, */*; q=0.01",
            "X-Requested-With": "XMLHttpRequest",
            "Referer": self.mychart_url(referer_path),
        }

    async def csrf_token(self, referer_path: str) -> str:
        """Fetch a fresh anti-forgery token (an HTML fragment) for POSTs made from ``referer_path``."""
        response = await self._send(
            "GET",
            self.mychart_url("Home/CSRFToken"),
            surface="csrf",
            params={"noCache": f"{random.random():.16f}"},  # noqa: S311 - a cache-buster, not a secret
            headers={**self._mychart_headers(referer_path), "Accept": "*/*"},
        )
        match = _CSRF_RE.search(response.text)
        if not match:
            raise PortalContractError("CSRF token page changed shape: no __RequestVerificationToken input")
        return match.group(1)

    async def page_nonce(self, page_path: str) -> str:
        """The CSP nonce of a MyChart app page, which some JSON calls echo as ``PageNonce``."""
        response = await self._send("GET", self.mychart_url(page_path), surface="page-nonce", headers={})
        match = _NONCE_RE.search(response.text)
        if not match:
            raise PortalContractError(f"page {page_path} has no CSP nonce")
        return match.group(1)

    async def mychart_post_json(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        surface: str,
        key: str,
        referer_path: str,
        csrf: str | None,
    ) -> Any:
        headers = {**self._mychart_headers(referer_path), "Content-Type": "application/json"}
        headers["Origin"] = self.kaiser.portal_url
        if csrf is not None:
            headers["__RequestVerificationToken"] = csrf
        response = await self._send(
            "POST", self.mychart_url(path), surface=surface, headers=headers, content=json.dumps(body)
        )
        return _json_body(response, surface, key)

    async def mycare_get_json(self, path: str, *, surface: str, component: str, inclusion_paths: list[str]) -> Any:
        headers = {
            **_MYCARE_APP,
            "X-apiKey": self.kaiser.mycare_api_key,
            "X-componentName": component,
            "X-sessionToken": "true",
            "X-Requested-With": "XMLHttpRequest",
            "X-useragentType": "Desktop",
            "X-useragentCategory": "B",
            "X-osVersion": "0",
            "X-includeEntitlements": "false",
            "X-includeProxyEntitlements": "false",
            "X-retainJsonSchema": "true",
            "X-inclusionJsonPath": ";".join(inclusion_paths),
            "Content-Type": "application/json",
            "Accept": "*/*",
            "Referer": self.mychart_url("Home?lang=en-US"),
        }
        url = f"{self.kaiser.portal_url}/mycare/v1.0/{path.lstrip('/')}"
        response = await self._send("GET", url, surface=surface, headers=headers)
        return _json_body(response, surface, path)

    async def pharmacy_get_json(
        self, path: str, *, surface: str, guid: str, params: Mapping[str, str], extra_headers: Mapping[str, str]
    ) -> Any:
        headers = {
            "Origin": self.kaiser.portal_url,
            "Referer": f"{self.kaiser.portal_url}/",
            "X-IBM-client-Id": self.kaiser.pharmacy_client_id,
            "x-guid": guid,
            "X-region": "MRN",
            "X-idType": "guid",
            "X-KPSessionID": "undefined",
            "X-disablecache": "false",
            "X-Global-Transaction-Id": uuid.uuid4().hex,
            "Content-Type": "application/json",
            "Accept": "*/*",
            **extra_headers,
        }
        url = f"{self.kaiser.pharmacy_url}/kp/mycare/pharmacy-microservices/{path.lstrip('/')}"
        response = await self._send("GET", url, surface=surface, headers=headers, params=dict(params))
        return _json_body(response, surface, path)

    # -- sending ------------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        surface: str,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        content: str | None = None,
    ) -> httpx2.Response:
        relogged = False
        attempt = 0
        while True:
            async with self._limit:
                self.request_count += 1
                try:
                    response = await self._http.request(
                        method, url, headers=dict(headers), params=params, content=content
                    )
                except httpx2.TransportError as exc:
                    response = None
                    failure = f"{type(exc).__name__}"
            if response is not None:
                try:
                    self._classify(response, surface)
                    return response
                except SessionExpired:
                    if self._relogin is None or relogged:
                        raise
                    relogged = True
                    log.info("event=session_expired surface=%s action=relogin", surface)
                    self._use_session(await self._relogin())
                    continue
                except _Retryable as retry:
                    failure = str(retry)
                    delay = retry.delay
            else:
                delay = None
            attempt += 1
            if attempt > self._max_retries:
                raise PortalUnavailable(f"{surface}: {failure} after {self._max_retries} retries; try again later")
            wait = (
                delay
                if delay is not None
                else min(8.0, 0.5 * 2 ** (attempt - 1)) * (0.5 + secrets.randbelow(1000) / 1000)
            )
            log.info("event=retry surface=%s attempt=%d wait=%.2f reason=%s", surface, attempt, wait, failure)
            await self._sleep(wait)

    def _classify(self, response: httpx2.Response, surface: str) -> None:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            if self._is_identity(location):
                raise SessionExpired(f"{surface}: the portal session has expired; sign in again")
            if "FiveHundred" in location:
                raise PortalContractError(f"{surface}: the portal rejected the request contract (anti-forgery/nonce)")
            raise PortalContractError(f"{surface}: unexpected redirect (HTTP {status})")
        if status == 401:
            raise SessionExpired(f"{surface}: the portal answered 401; sign in again")
        if status == 502 and "/mycare/v1.0/" in str(response.request.url):
            raise PortalContractError(f"{surface}: the /mycare gateway rejected the app header contract (502)")
        if status in _RETRY_STATUSES:
            raise _Retryable(f"HTTP {status}", _retry_after(response))
        if status >= 400:
            raise PortalContractError(f"{surface}: HTTP {status}")
        content_type = response.headers.get("content-type", "")
        if "html" in content_type and _looks_like_sign_in(response.text):
            raise SessionExpired(f"{surface}: the portal served its sign-in page; sign in again")

    def _is_identity(self, location: str) -> bool:
        if not location:
            return False
        identity_host = urlsplit(self.kaiser.identity_url).netloc
        target = urlsplit(location)
        if target.netloc and target.netloc == identity_host and target.path.startswith("/as/"):
            return True
        return target.path.startswith("/as/authorization.oauth2") or "identityauth." in target.netloc


class _Retryable(Exception):
    def __init__(self, reason: str, delay: float | None) -> None:
        super().__init__(reason)
        self.delay = delay


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(60.0, max(0.0, float(value)))
    except ValueError:
        return None


def _looks_like_sign_in(text: str) -> bool:
    lowered = text[:20000].lower()
    return "pf.username" in lowered or ("sign in" in lowered and "password" in lowered)


def _json_body(response: httpx2.Response, surface: str, key: str) -> Any:
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type:
        raise MalformedPayload(surface, key, f"expected JSON, got {content_type or 'no content type'}")
    try:
        return response.json()
    except ValueError as exc:
        raise MalformedPayload(surface, key, f"unparseable JSON ({exc.__class__.__name__})") from None
