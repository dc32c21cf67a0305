"""The request layer for kp.org: cookies, the per-area header contracts, CSRF and page nonces,
expiry detection with one re-login, and bounded retries for 429/5xx.

A dead session (any form, see ``classify``) triggers one re-login shared by every in-flight request,
then one retry; a second death, or a re-login that fails, is ``LoginRequired``. A bounce to FiveHundred
of a call carrying an anti-forgery token is retried once with fresh tokens (their lifetime is unknown,
§1.6), one replacement shared by every call that held the stale token.

Redirects are never followed: a 302 to the identity host is the portal's one unambiguous
"session dead" signal (KAISER_API.md §1.4).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import secrets
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx2

from gateway.kaiser.classify import Retryable, classify, json_body
from gateway.kaiser.config import KaiserSettings
from gateway.kaiser.errors import (
    ContractBounce,
    KaiserError,
    LoginRequired,
    MalformedPayload,
    PortalContractError,
    PortalUnavailable,
    SessionExpired,
)
from gateway.kaiser.held_tokens import CSRF_HEADER, HeldTokens
from gateway.kaiser.session import PortalSession

log = logging.getLogger("fhirgate.kaiser")

Relogin = Callable[[], Awaitable[PortalSession]]
Sleep = Callable[[float], Awaitable[None]]

_CSRF_RE = re.compile(r'name="__RequestVerificationToken"[^>]*value="([^"]+)"')
_NONCE_RE = re.compile(r'nonce="([0-9a-f]{32})"')
_COUNTED_AS: ContextVar[str | None] = ContextVar("fhirgate_kaiser_counted_as", default=None)
_MYCARE_APP = {"X-appName": "rx-order-management", "X-versionId": "3.0.1.2"}


def _unsendable(surface: str, exc: Exception) -> MalformedPayload:
    """A value the portal sent (an order number, a token, an id) that cannot go into a request: too long for
    a URL, a control character, a lone surrogate. Named by surface and error type only, never by the value."""
    log.warning("event=request_unbuildable surface=%s error=%s", surface, type(exc).__name__)
    return MalformedPayload(surface, "request", f"a value the portal sent cannot be sent back ({type(exc).__name__})")


class PortalClient:
    """An authenticated client for the portal's JSON surfaces.

    ``relogin`` is called at most once per request when the session turns out dead; it returns a
    fresh session (a headless login with the persisted browser profile in the CLI), after which the
    request is retried once. Without ``relogin`` a dead session is ``LoginRequired`` at once.
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
        self._concurrency = concurrency
        self._limits: dict[str, asyncio.Semaphore] = {}
        """One in-flight limit per host (kp.org's main, identity and API gateway hosts are separate)."""
        self.request_count = 0
        self._counts: Counter[str] = Counter()
        self._http = httpx2.AsyncClient(transport=transport, timeout=timeout, follow_redirects=False)
        self._relogin_lock = asyncio.Lock()
        self._tokens = HeldTokens()
        self._relogin_failed: str | None = None
        self._generation = 0
        self.relogins = 0
        self._use_session(session)

    def _use_session(self, session: PortalSession) -> None:
        self._generation += 1
        self.session = session
        self._http.cookies = session.cookie_jar()
        self._http.headers["User-Agent"] = session.user_agent

    @contextlib.contextmanager
    def counted_as(self, label: str) -> Iterator[None]:
        """Count the requests made inside (and in tasks started inside) under ``label`` as well, so each
        surface of a sync knows its own count while the surfaces share this client concurrently."""
        token = _COUNTED_AS.set(label)
        try:
            yield
        finally:
            _COUNTED_AS.reset(token)

    def requests_counted_as(self, label: str) -> int:
        return self._counts[label]

    def _counted(self) -> None:
        self.request_count += 1
        label = _COUNTED_AS.get()
        if label is not None:
            self._counts[label] += 1

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
            expect_json=False,
        )
        match = _CSRF_RE.search(response.text)
        if not match:
            raise PortalContractError("CSRF token page changed shape: no __RequestVerificationToken input")
        return self._tokens.issued(match.group(1), self._generation)

    async def page_nonce(self, page_path: str) -> str:
        """The CSP nonce of a MyChart app page, which some JSON calls echo as ``PageNonce``."""
        response = await self._send(
            "GET", self.mychart_url(page_path), surface="page-nonce", headers={}, expect_json=False
        )
        match = _NONCE_RE.search(response.text)
        if not match:
            raise PortalContractError(f"page {page_path} has no CSP nonce")
        return self._tokens.issued(match.group(1), self._generation)

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
            headers[CSRF_HEADER] = csrf
        response = await self._send(
            "POST", self.mychart_url(path), surface=surface, headers=headers, content=json.dumps(body)
        )
        return json_body(response, surface, key)

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
        return json_body(response, surface, path)

    async def pharmacy_get_json(
        self,
        path: str,
        *,
        surface: str,
        guid: str | None,
        params: Mapping[str, str],
        extra_headers: Mapping[str, str],
    ) -> Any:
        """A pharmacy BFF read; ``guid=None`` leaves out the member identity headers (``orderDetails``)."""
        identity = {"x-guid": guid, "X-region": "MRN", "X-idType": "guid"} if guid is not None else {}
        headers = {
            "Origin": self.kaiser.portal_url,
            "Referer": f"{self.kaiser.portal_url}/",
            "X-IBM-client-Id": self.kaiser.pharmacy_client_id,
            **identity,
            "X-KPSessionID": "undefined",
            "X-disablecache": "false",
            "X-Global-Transaction-Id": uuid.uuid4().hex,
            "Content-Type": "application/json",
            "Accept": "*/*",
            **extra_headers,
        }
        url = f"{self.kaiser.pharmacy_url}/kp/mycare/pharmacy-microservices/{path.lstrip('/')}"
        response = await self._send("GET", url, surface=surface, headers=headers, params=dict(params))
        return json_body(response, surface, path)

    async def keepalive(self, count: int) -> None:
        """One ``keepalive.asp`` pulse (§1.5); anything but 200 means the session is dead. Never re-logs in."""
        headers = {
            "Accept": "*/*",
            "X-Requested-With": "XMLHttpRequest",
            "Referer": self.mychart_url("Home?lang=en-US"),
        }
        async with self._limit(self.kaiser.portal_url):
            self._counted()
            response = await self._http.get(
                self.mychart_url("keepalive.asp"), params={"cnt": str(count)}, headers=headers
            )
        if response.status_code != 200:
            raise SessionExpired(f"keepalive: the portal answered {response.status_code}")

    async def get_bytes(self, url: str, *, surface: str, accept: str, referer_path: str) -> httpx2.Response:
        """A binary download (a result PDF): same expiry handling, no JSON expected."""
        headers = {"Accept": accept, "Referer": self.mychart_url(referer_path)}
        return await self._send("GET", url, surface=surface, headers=headers, expect_json=False)

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        surface: str,
        key: str,
        headers: Mapping[str, str],
        body: Any = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """Any JSON call with the caller's full header contract (the write chains' many BFF contracts)."""
        content = None if body is None else json.dumps(body)
        response = await self._send(method, url, surface=surface, headers=headers, params=params, content=content)
        return json_body(response, surface, key)

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
        expect_json: bool = True,
    ) -> httpx2.Response:
        relogged = rearmed = False
        attempt = 0
        headers = dict(headers)
        while True:
            page = headers.get("Referer", "").removeprefix(self.mychart_url(""))
            content = await self._tokens.refresh(
                headers, content, page, self._generation, self.csrf_token, self.page_nonce
            )
            try:
                request = self._http.build_request(method, url, headers=headers, params=params, content=content)
            except (httpx2.InvalidURL, UnicodeEncodeError) as exc:
                raise _unsendable(surface, exc) from None
            generation = self._generation
            async with self._limit(url):
                self._counted()
                try:
                    response = await self._http.send(request)
                except httpx2.LocalProtocolError as exc:  # a header h11 refuses to write: retrying cannot help
                    raise _unsendable(surface, exc) from None
                except httpx2.TransportError as exc:
                    response = None
                    failure = f"{type(exc).__name__}"
            delay: float | None = None
            if response is not None:
                try:
                    classify(response, surface, self.kaiser.identity_url, expect_json=expect_json)
                    return response
                except SessionExpired as expired:
                    if relogged:
                        raise LoginRequired(f"{surface}: still signed out after signing in again") from None
                    if self._relogin is None:
                        raise LoginRequired(str(expired)) from None
                    relogged = True
                    await self._renew(generation, surface)
                    continue
                except ContractBounce:
                    if rearmed or not self._tokens.retire(headers, content):
                        raise
                    rearmed = True
                    log.info("event=tokens_refused surface=%s action=retry_with_fresh_tokens", surface)
                    continue
                except Retryable as retry:
                    failure = str(retry)
                    delay = retry.delay
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

    def _limit(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc
        if host not in self._limits:
            self._limits[host] = asyncio.Semaphore(self._concurrency)
        return self._limits[host]

    async def _renew(self, generation: int, surface: str) -> None:
        """Sign in again once for every request that saw the same dead session (they run concurrently)."""
        async with self._relogin_lock:
            if generation != self._generation:
                return  # another request already brought a fresh session
            if self._relogin_failed is not None:
                raise LoginRequired(self._relogin_failed)
            assert self._relogin is not None
            log.info("event=session_expired surface=%s action=relogin", surface)
            try:
                session = await self._relogin()
            except KaiserError as exc:
                self._relogin_failed = f"signing in again failed: {exc}"
                raise LoginRequired(self._relogin_failed) from None
            self.relogins += 1
            self._use_session(session)

    async def mychart_post_form(
        self,
        path: str,
        form: Mapping[str, str],
        *,
        surface: str,
        key: str,
        referer_path: str,
        csrf: str,
    ) -> Any:
        """A form-encoded MyChart POST (``Demographics/*`` MVC actions) with the anti-forgery header."""
        headers = {
            **self._mychart_headers(referer_path),
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            "Origin": self.kaiser.portal_url,
            CSRF_HEADER: csrf,
        }
        params = {"noCache": f"{random.random():.16f}"}  # noqa: S311 - a cache-buster, not a secret
        response = await self._send(
            "POST", self.mychart_url(path), surface=surface, headers=headers, params=params, content=urlencode(form)
        )
        return json_body(response, surface, key)

    async def mychart_post_query(
        self,
        path: str,
        params: Mapping[str, str],
        *,
        surface: str,
        key: str,
        referer_path: str,
        csrf: str | None,
        body: Mapping[str, Any] | None = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """A MyChart POST whose query string carries the call's parameters (plus ``noCache``), with a JSON
        ``body``, a form-encoded ``form``, or no body at all (``LoadListData``, ``LoadUpcoming``, ``LoadPast``)."""
        headers = {**self._mychart_headers(referer_path), "Origin": self.kaiser.portal_url}
        if csrf is not None:
            headers[CSRF_HEADER] = csrf
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body)
        elif form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=UTF-8"
            content = urlencode(form)
        query = {**params, "noCache": f"{random.random():.16f}"}  # noqa: S311 - a cache-buster, not a secret
        response = await self._send(
            "POST", self.mychart_url(path), surface=surface, headers=headers, params=query, content=content
        )
        return json_body(response, surface, key)
