"""Which sources a home may reach right now, checked before any request leaves.

``--offline`` reaches nothing. A demo home reaches only the loopback sandboxes its manifest records, and
only while the process serving them runs; otherwise the answer says how to start them. Every path that
would talk to a source asks ``HomeReach`` first (refresh, writes, sync, doctor), and the practices'
HTTP goes through ``GuardedTransport``, so a path nobody thought of is refused too.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2

from fhirgate.home_manifest import HomeManifest, read_manifest
from fhirgate.settings import Settings
from gateway.kaiser.errors import PortalUnavailable

__all__ = [
    "OFFLINE",
    "SANDBOX_NOT_RUNNING",
    "GuardedTransport",
    "HomeReach",
    "ReachRefused",
]

OFFLINE = (
    "fhirgate runs --offline: it contacts no source, so nothing was fetched or sent (restart it without --offline)"
)
SANDBOX_NOT_RUNNING = (
    "the demo sandbox is not running: start it with `fhirgate mcp --demo` (or `fhirgate demo`); nothing was sent"
)
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
NOT_A_SANDBOX = "this is a demo home: it reaches only its own sandboxes, not {origin}; nothing was sent"


class ReachRefused(PortalUnavailable):
    """A request this home may not make now; the message says why and what to do."""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


def _loopback_origins(origins: tuple[str, ...]) -> set[str]:
    """The recorded sandbox origins that are plain http on a loopback address: a demo home trusts no other,
    whatever its manifest says."""
    return {origin_of(o) for o in origins if urlsplit(o).scheme == "http" and urlsplit(o).hostname in _LOOPBACK}


@dataclass(frozen=True)
class HomeReach:
    manifest: HomeManifest | None
    offline: bool = False

    @classmethod
    def for_settings(cls, settings: Settings, *, offline: bool = False) -> HomeReach:
        return cls(read_manifest(settings.home), offline)

    @property
    def is_demo(self) -> bool:
        return self.manifest is not None and self.manifest.is_demo

    def general_refusal(self) -> str | None:
        """Why no source at all may be reached now (offline, or a demo whose sandboxes are down)."""
        if self.offline:
            return OFFLINE
        if self.is_demo:
            run = self.manifest.sandboxes if self.manifest is not None else None
            if run is None or not run.running:
                return SANDBOX_NOT_RUNNING
        return None

    def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be requested now; None when it may."""
        if self.offline:
            return OFFLINE
        if self.is_demo and self.manifest is not None:
            run = self.manifest.sandboxes
            if run is None or origin_of(url) not in _loopback_origins(run.origins):
                return NOT_A_SANDBOX.format(origin=origin_of(url))
            if not run.running:
                return SANDBOX_NOT_RUNNING
        return None

    def check(self, url: str) -> None:
        refused = self.refusal(url)
        if refused is not None:
            raise ReachRefused(refused)

    def transport(self, inner: httpx2.AsyncBaseTransport | None = None) -> GuardedTransport:
        return GuardedTransport(self, inner)


class GuardedTransport(httpx2.AsyncBaseTransport):
    """Sends a request only when ``HomeReach`` allows its URL; otherwise fails before any connection.

    The failure is ``httpx2.UnsupportedProtocol`` (a transport error clients do not retry), carrying the reason.
    Without an ``inner`` transport it opens its own connection pool when first needed, and again after being
    closed: the SMART token requests of a practice share it with the practice's FHIR client and close theirs.
    """

    def __init__(self, reach: HomeReach, inner: httpx2.AsyncBaseTransport | None = None) -> None:
        self._reach = reach
        self._given = inner
        self._pool: httpx2.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        refused = self._reach.refusal(str(request.url))
        if refused is not None:
            raise httpx2.UnsupportedProtocol(refused, request=request)
        if self._given is not None:
            return await self._given.handle_async_request(request)
        if self._pool is None:
            self._pool = httpx2.AsyncHTTPTransport()
        return await self._pool.handle_async_request(request)

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.aclose()
        if self._given is not None:
            await self._given.aclose()
