"""`FhirClient`: the one async client for every FHIR R4 server fhirgate talks to.

It reads, searches and pages over HTTP (or in-process through an ASGI transport),
retries what is safe to retry, paces itself with an optional `RequestPacer`, follows paging
links only on the server's own origin and base path, and turns every failure into the
`fhir_client.errors` tree. Authentication is an `httpx2.Auth` (`SmartAuth` for SMART sources).
With `patient_compartment`, searches name the token's patient and sorting and counting are done
here (`patient_searches`); `$everything` falls back to per-type searches when the server fails it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin

import httpx2

from fhir_client.auth import BearerTokenAuth
from fhir_client.bundles import SearchParams, bundle_link, entries, normalize_params
from fhir_client.errors import (
    FhirHTTPError,
    FhirTransportError,
    InvalidFhirRequest,
    InvalidFhirResponse,
    quoted,
    safe_url,
)
from fhir_client.everything_fallback import FALLBACK_NOTE, fallback_searches
from fhir_client.identity import SourceIdentity, WhoAmI, human_name
from fhir_client.patient_searches import ResultPlan, assembled_bundle, plan_results, with_patient
from fhir_client.rate_limit import RequestPacer
from fhir_client.retry import RetryPolicy, parse_retry_after
from fhir_client.scopes import grants_search

__all__ = ["FhirClient", "same_origin", "within_base"]

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"
_RESOURCE_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")
_RESOURCE_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")
# Failures where the request may not have reached the server, or the answer was lost:
# safe to repeat for a GET. Proxy and protocol-support errors will not heal by retrying.
_RETRYABLE_TRANSPORT_ERRORS = (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError)

Sleep = Callable[[float], Awaitable[None]]
#: Bounds on what one client-side sorted or counted search reads.
MAX_COLLECTED_ROWS = 2000
MAX_COLLECTED_PAGES = 40
_COLLECTED_TTL = 30.0  # seconds a collected search is reused (a count then two sorts of one type)
# `$everything` failures that mean "not offered here", not "try later" or "sign in again".
_EVERYTHING_UNSUPPORTED = frozenset({400, 403, 404, 405, 422, 500, 501})


def same_origin(url: str, base_url: str) -> bool:
    """Whether `url` has the scheme, host and port of `base_url` (RFC 6454 origin)."""
    try:
        left, right = httpx2.URL(url), httpx2.URL(base_url)
    except httpx2.InvalidURL:
        return False
    return (left.scheme, left.host, left.port) == (right.scheme, right.host, right.port) and bool(left.host)


def within_base(url: str, base_url: str) -> bool:
    """Whether `url` is on `base_url`'s origin and under its path (`[base]/...`)."""
    if not same_origin(url, base_url):
        return False
    path, base_path = httpx2.URL(url).path, httpx2.URL(base_url).path.rstrip("/")
    return path == base_path or path.startswith(base_path + "/")


class FhirClient:
    """Async FHIR R4 client bound to one server base URL.

    Use as `async with FhirClient(base_url) as client:` or call `aclose()` when done.
    `transport` is for tests and for in-process servers (`httpx2.ASGITransport`);
    `sleep` is awaited between retries, so tests can pass a recorder that does not wait.
    `rate_limiter` paces every request (SMART sources: 250/min by default); `identity` is the
    patient and `fhirUser` a SMART token was issued for, used by `whoami`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx2.Auth | None = None,
        bearer_token: str | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        sleep: Sleep = asyncio.sleep,
        rate_limiter: RequestPacer | None = None,
        identity: SourceIdentity | None = None,
        patient_compartment: bool = False,
        accept: str | None = None,
        clock: Callable[[], float] = time.time,
        granted_scopes: tuple[str, ...] = (),
    ) -> None:
        if auth is not None and bearer_token is not None:
            raise ValueError("pass either auth or bearer_token, not both")
        base = httpx2.URL(base_url)
        if base.scheme not in ("http", "https") or not base.host:
            raise ValueError("base_url must be an absolute http(s) URL")
        self._base_url = str(base.copy_with(query=None, fragment=None)).rstrip("/")
        self._retry = RetryPolicy(max_retries=max_retries, clock=clock)
        self._sleep = sleep
        self._clock = clock
        self._patient_compartment = patient_compartment
        self._granted = granted_scopes
        self._everything_unsupported = False
        self._collected: dict[str, tuple[float, list[dict[str, Any]], list[dict[str, Any]], bool]] = {}
        self._limiter = rate_limiter
        self._identity = identity or SourceIdentity()
        # A misbehaving server may echo the credential back in an error body.
        self._secrets = [bearer_token] if bearer_token else []
        self._http = httpx2.AsyncClient(
            auth=BearerTokenAuth(bearer_token) if bearer_token is not None else auth,
            transport=transport,
            timeout=timeout,
            headers={"Accept": accept or FHIR_JSON, "User-Agent": "fhirgate"},
            follow_redirects=False,
        )

    @property
    def base_url(self) -> str:
        """The server's base URL, without a trailing slash."""
        return self._base_url

    def __repr__(self) -> str:
        return f"FhirClient({safe_url(self._base_url)!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (and the transport it was given)."""
        await self._http.aclose()

    async def capabilities(self) -> dict[str, Any]:
        """The server's CapabilityStatement (`GET [base]/metadata`)."""
        return await self._get_json(f"{self._base_url}/metadata", "CapabilityStatement")

    async def whoami(self) -> WhoAmI:
        """Who this source's record belongs to: `fhirUser`, patient id and the patient's name.

        A SMART source knows its patient from the token; a source without one (the local
        facade holds one person's record) answers with its only Patient.
        """
        patient_id, fhir_user = self._identity.patient_id, self._identity.fhir_user
        reference = fhir_user if fhir_user and fhir_user.count("/") >= 1 else None
        resource: dict[str, Any] | None = None
        if patient_id is not None:
            resource = await self.read("Patient", patient_id)
        elif reference is not None:
            resource_type, _, resource_id = reference.rstrip("/").rpartition("/")
            resource = await self.read(resource_type.rpartition("/")[2], resource_id)
        else:
            bundle = await self.search("Patient", {"_count": "1"})
            resource = next(entries(bundle, "match", None), None)
            patient_id = resource.get("id") if resource else None
        return WhoAmI(fhir_user=fhir_user, patient_id=patient_id, name=human_name(resource) if resource else None)

    async def read(self, resource_type: str, resource_id: str) -> dict[str, Any]:
        """One resource (`GET [base]/[type]/[id]`)."""
        _check_type(resource_type)
        if not _RESOURCE_ID.fullmatch(resource_id):
            raise InvalidFhirRequest(
                f"{resource_id!r} is not a FHIR id (1-64 of A-Z a-z 0-9 '-' '.')",
            )
        return await self._get_json(f"{self._base_url}/{resource_type}/{resource_id}", resource_type)

    async def search(self, resource_type: str, params: SearchParams | None = None) -> dict[str, Any]:
        """The first page of a type-level search, as a Bundle (`GET [base]/[type]?params`)."""
        _check_type(resource_type)
        pairs = normalize_params(params)
        if self._patient_compartment:
            plan = plan_results(with_patient(resource_type, pairs, self._identity.patient_id))
            if grants_search(self._granted, resource_type) is False:  # the token cannot read it: no call
                note = f"the practice granted no access to {resource_type} records, so it was not asked"
                return assembled_bundle([], [], ResultPlan(()), complete=True, notes=[note])
            if plan.client_side:
                return await self._collected_search(resource_type, plan)
            pairs = list(plan.server_params)
        return await self._get_json(
            f"{self._base_url}/{resource_type}", "Bundle", params=httpx2.QueryParams(tuple(pairs))
        )

    async def _collected_search(
        self, resource_type: str, plan: ResultPlan, notes: list[str] | None = None
    ) -> dict[str, Any]:
        """Every page of the search (bounded), sorted and counted here."""
        key = f"{resource_type}?{httpx2.QueryParams(plan.server_params)}"
        cached = self._collected.get(key)
        if cached is not None and self._clock() - cached[0] <= _COLLECTED_TTL:
            _, matches, included, complete = cached
        else:
            matches, included, complete = await self._read_all(resource_type, plan.server_params)
            now = self._clock()
            for stale in [k for k, v in self._collected.items() if now - v[0] > _COLLECTED_TTL]:
                del self._collected[stale]
            self._collected[key] = (now, matches, included, complete)
        return assembled_bundle(matches, included, plan, complete=complete, notes=notes or ())

    async def _read_all(
        self, resource_type: str, params: tuple[tuple[str, str], ...]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], bool]:
        bundle = await self._get_json(f"{self._base_url}/{resource_type}", "Bundle", params=httpx2.QueryParams(params))
        matches: list[dict[str, Any]] = []
        included: dict[str, dict[str, Any]] = {}
        seen: set[str] = set()
        for _ in range(MAX_COLLECTED_PAGES):
            matches.extend(entries(bundle, "match", None))
            for resource in entries(bundle, "include"):
                included[f"{resource.get('resourceType')}/{resource.get('id')}"] = resource
            next_url = bundle_link(bundle, "next")
            if next_url is None or next_url in seen:
                return matches, list(included.values()), True
            if len(matches) >= MAX_COLLECTED_ROWS:
                break
            seen.add(next_url)
            bundle = await self.fetch_page(next_url)
        return matches[:MAX_COLLECTED_ROWS], list(included.values()), False

    async def operation(
        self, resource_type: str, name: str, parameters: dict[str, Any], *, resource_id: str | None = None
    ) -> dict[str, Any]:
        """Invoke `POST [base]/[type]/[id]/$name` with a Parameters body, exactly once.

        Never retried: an operation may change something (a refill, a message), so a failure is
        reported, not repeated.
        """
        _check_type(resource_type)
        if not _OPERATION_NAME.fullmatch(name):
            raise InvalidFhirRequest(f"{name!r} is not an operation name")
        if resource_id is not None and not _RESOURCE_ID.fullmatch(resource_id):
            raise InvalidFhirRequest(f"{resource_id!r} is not a FHIR id (1-64 of A-Z a-z 0-9 '-' '.')")
        path = f"{resource_type}/{resource_id}" if resource_id else resource_type
        url = f"{self._base_url}/{path}/${name}"
        if self._limiter is not None:
            await self._limiter.acquire()
        try:
            response = await self._http.post(
                url, content=json.dumps(parameters), headers={"Content-Type": "application/fhir+json"}
            )
        except httpx2.TransportError as exc:
            raise FhirTransportError(
                f"could not reach the FHIR server ({type(exc).__name__})", url=url, attempts=1
            ) from exc
        if not response.is_success:
            raise self._http_error(response, parse_retry_after(response.headers.get("Retry-After")))
        try:
            body = json.loads(response.content)
        except ValueError:
            raise InvalidFhirResponse("expected FHIR JSON from the operation", url=url) from None
        if not isinstance(body, dict) or "resourceType" not in body:
            raise InvalidFhirResponse("the operation answered something that is not a resource", url=url)
        return body

    async def everything(self, patient_id: str, params: SearchParams | None = None) -> dict[str, Any]:
        """The first page of `GET [base]/Patient/[id]/$everything` (`_since`, `_type`, `_count`)."""
        if not _RESOURCE_ID.fullmatch(patient_id):
            raise InvalidFhirRequest(f"{patient_id!r} is not a FHIR id (1-64 of A-Z a-z 0-9 '-' '.')")
        pairs = normalize_params(params)
        if not self._everything_unsupported:
            try:
                return await self._get_json(
                    f"{self._base_url}/Patient/{patient_id}/$everything",
                    "Bundle",
                    params=httpx2.QueryParams(tuple(pairs)),
                )
            except FhirHTTPError as error:
                if error.status_code not in _EVERYTHING_UNSUPPORTED:
                    raise
            except InvalidFhirResponse:
                pass
            self._everything_unsupported = True
            logger.info("fhir $everything unsupported, searching per type base=%s", safe_url(self._base_url))
        return await self._everything_by_type(patient_id, pairs)

    async def _everything_by_type(self, patient_id: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        """`$everything` as one Bundle of per-type searches (types the token cannot read are named, not fatal)."""
        searches = [(t, p) for t, p in fallback_searches(pairs) if grants_search(self._granted, t) is not False]
        matches: list[dict[str, Any]] = []
        notes = [FALLBACK_NOTE.format(count=len(searches))]
        complete = True
        for resource_type, type_params in searches:
            _check_type(resource_type)
            scoped = with_patient(resource_type, type_params, patient_id)
            try:
                found, _, whole = await self._read_all(resource_type, tuple(scoped))
            except FhirHTTPError as error:
                if error.status_code in (401, 429) or error.status_code >= 500:
                    raise
                notes.append(f"{resource_type} could not be read (HTTP {error.status_code})")
                continue
            matches.extend(found)
            complete = complete and whole
        return assembled_bundle(matches, [], ResultPlan(()), complete=complete, notes=notes)

    async def fetch_page(self, url: str) -> dict[str, Any]:
        """A Bundle from a paging link (`next`/`previous`) the server gave out.

        Relative links are resolved against the base URL. A link to another origin, or outside the
        base path, is refused, so credentials are never sent to a server that merely named it.
        """
        absolute = self._upgraded(urljoin(f"{self._base_url}/", url))
        if not same_origin(absolute, self._base_url):
            raise InvalidFhirRequest(
                f"refusing to follow a paging link to another origin than {safe_url(self._base_url)}: "
                f"{safe_url(absolute)}"
            )
        if not within_base(absolute, self._base_url):
            raise InvalidFhirRequest(
                f"refusing to follow a paging link outside {safe_url(self._base_url)}: {safe_url(absolute)}"
            )
        return await self._get_json(absolute, "Bundle")

    def _upgraded(self, url: str) -> str:
        """An `http://` link on this https server's own host, moved to https (some servers build
        their `next` links behind a TLS proxy); the token is never sent over plain http."""
        try:
            link, base = httpx2.URL(url), httpx2.URL(self._base_url)
        except httpx2.InvalidURL:
            return url
        if base.scheme == "https" and link.scheme == "http" and link.host == base.host and link.port in (None, 80):
            return str(link.copy_with(scheme="https", port=base.port))
        return url

    async def iterate_pages(
        self,
        resource_type: str,
        params: SearchParams | None = None,
        *,
        max_pages: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield the search's Bundles: the first page, then each `next` page in turn."""
        bundle = await self.search(resource_type, params)
        seen: set[str] = set()
        pages = 0
        while True:
            yield bundle
            pages += 1
            next_url = bundle_link(bundle, "next")
            if next_url is None or next_url in seen or (max_pages is not None and pages >= max_pages):
                return
            seen.add(next_url)
            bundle = await self.fetch_page(next_url)

    async def iterate_resources(
        self,
        resource_type: str,
        params: SearchParams | None = None,
        *,
        limit: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield the search's matches across pages (not includes, not outcome entries)."""
        if limit is not None and limit <= 0:
            return
        count = 0
        async for bundle in self.iterate_pages(resource_type, params):
            for resource in entries(bundle, "match", None):
                yield resource
                count += 1
                if limit is not None and count >= limit:
                    return

    async def _get_json(
        self, url: str, expected_type: str, *, params: httpx2.QueryParams | None = None
    ) -> dict[str, Any]:
        response = await self._send(url, params)
        try:
            body = json.loads(response.content)
        except ValueError:
            raise InvalidFhirResponse(
                f"expected FHIR JSON, got {response.headers.get('Content-Type', 'no content type')}",
                url=str(response.url),
            ) from None
        if not isinstance(body, dict) or body.get("resourceType") != expected_type:
            found = body.get("resourceType") if isinstance(body, dict) else type(body).__name__
            raise InvalidFhirResponse(f"expected a {expected_type}, got '{quoted(found)}'", url=str(response.url))
        if expected_type == "Bundle" and isinstance(body.get("link"), list):
            for link in body["link"]:
                if isinstance(link, dict) and isinstance(link.get("url"), str):
                    link["url"] = self._upgraded(link["url"])
        return body

    async def _send(self, url: str, params: httpx2.QueryParams | None) -> httpx2.Response:
        failures = 0
        while True:
            if self._limiter is not None:
                waited = await self._limiter.acquire()
                if waited:
                    logger.debug("fhir paced by rate limit wait=%.2f", waited)
            try:
                response = await self._http.get(url, params=params)
            except _RETRYABLE_TRANSPORT_ERRORS as exc:
                failures += 1
                delay = self._retry.delay_for_transport_error(failures)
                if delay is None:
                    raise FhirTransportError(
                        f"could not reach the FHIR server ({type(exc).__name__})", url=url, attempts=failures
                    ) from exc
                logger.warning("fhir retry error=%s attempt=%d delay=%.2f", type(exc).__name__, failures, delay)
                await self._sleep(delay)
                continue
            except httpx2.InvalidURL as exc:
                raise InvalidFhirRequest(f"invalid URL: {exc}") from None
            except httpx2.TransportError as exc:
                raise FhirTransportError(
                    f"could not reach the FHIR server ({type(exc).__name__})", url=url, attempts=failures + 1
                ) from exc
            logger.debug("fhir response method=GET path=%s status=%d", response.url.path, response.status_code)
            if response.is_success:
                return response
            failures += 1
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if response.status_code == 429 and self._limiter is not None:
                self._limiter.throttled()
            delay = self._retry.delay_for_status(response.status_code, failures, retry_after)
            if delay is None:
                raise self._http_error(response, retry_after)
            logger.warning("fhir retry status=%d attempt=%d delay=%.2f", response.status_code, failures, delay)
            await self._sleep(delay)

    def _http_error(self, response: httpx2.Response, retry_after: float | None) -> FhirHTTPError:
        text = response.text
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        outcome = body if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome" else None
        return FhirHTTPError(response.status_code, outcome, str(response.url), retry_after=retry_after)


_OPERATION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _check_type(resource_type: str) -> None:
    if not _RESOURCE_TYPE.fullmatch(resource_type):
        raise InvalidFhirRequest(f"{resource_type!r} is not a FHIR resource type name (like 'Observation')")
