"""The Kaiser record as a FHIR source: the local store, the sync engine as the facade's refresher (searches
first refresh surfaces older than the TTL) and the guarded writes, built once (``home_kaiser_source``) and
served by one facade (``KaiserSource.facade_settings``): over loopback HTTP (`fhirgate serve`, the demo, the
conformance suite) or in-process for the MCP server (httpx2.ASGITransport, no server needed)."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx2

from fhir_client import FhirClient
from fhirgate.facade_on_first_request import IN_PROCESS_BASE
from fhirgate.home_reach import HomeReach
from fhirgate.scheduled_sync import NotSignedIn
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.sync_lock import SyncAlreadyRunning, home_sync_lock
from gateway.facade import (
    DEFAULT_TTL,
    LOOPBACK_HOSTS,
    FacadeExtension,
    FacadeSettings,
    RefreshFailed,
    RefreshPolicy,
    create_facade_app,
)
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import load_session, save_session
from gateway.kaiser.surfaces.table import SURFACES
from gateway.store import ResourceStore, SqliteStore
from gateway.sync.engine import Clock, SyncEngine
from gateway.writes.fhir_routes import write_extension
from gateway.writes.operations import WriteOperations

SURFACE_TYPES = {surface.name: surface.resource_types for surface in SURFACES}

if TYPE_CHECKING:
    from gateway.bulk import ExportJobs
    from gateway.smart_server import SmartAuthorizationServer

OpenPortal = Callable[[], Awaitable[PortalClient]]


class SyncRefresher:
    """The facade's ``Refresher``: the sync engine on the asked surfaces, one run at a time (concurrent runs
    evict each other's anti-forgery tokens). A dead session or a failed surface becomes ``RefreshFailed``."""

    def __init__(
        self,
        store: SqliteStore,
        open_portal: OpenPortal,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        home: Path | None = None,
    ):
        self._store = store
        self._open_portal = open_portal
        self._clock = clock
        self._lock = asyncio.Lock()
        self._home = home
        """With a home, its sync lock is held too: no refresh beside `fhirgate sync` or a scheduled sync."""

    async def __call__(self, surfaces: tuple[str, ...]) -> None:
        async with self._lock:
            try:
                with home_sync_lock(self._home) if self._home is not None else nullcontext():
                    async with await self._open_portal() as client:
                        report = await SyncEngine(client, self._store, clock=self._clock).run(surfaces)
            except SyncAlreadyRunning as exc:
                raise RefreshFailed(str(exc)) from None
        if report.login_required:
            raise RefreshFailed(report.login_required)
        failed = [f"{r.surface}: {r.error}" for r in report.surfaces if not r.ok]
        if failed:
            raise RefreshFailed("; ".join(failed))


def home_portal_opener(settings: Settings, secret_store: SecretStore) -> OpenPortal:
    """Opens a portal client on the home's saved Kaiser session (silent re-login as the sync does it), for
    the facade's refresher and the scheduled sync. A home that may not reach its portal now (a demo whose
    sandbox is down) sends nothing (``RefreshFailed``); one never signed in raises ``NotSignedIn``."""
    from fhirgate.commands.login import headless_relogin  # Playwright is loaded only when a sync signs in

    async def open_portal() -> PortalClient:
        reach = HomeReach.for_settings(settings)
        refused = reach.refusal(settings.kaiser.portal_url)
        if refused is not None:
            raise RefreshFailed(refused)
        session = load_session(secret_store)
        if session is None:
            raise NotSignedIn
        relogin = headless_relogin(settings, secret_store, lambda fresh: save_session(secret_store, fresh))
        return PortalClient(settings.kaiser, session, relogin=relogin, transport=reach.transport())

    return open_portal


def portal_opener(settings: Settings, secret_store: SecretStore) -> OpenPortal:
    """``home_portal_opener`` for the facade: never signed in is a ``RefreshFailed`` that says what to do."""
    open_home_portal = home_portal_opener(settings, secret_store)

    async def open_portal() -> PortalClient:
        try:
            return await open_home_portal()
        except NotSignedIn:
            raise RefreshFailed("not signed in to Kaiser: run `fhirgate login kaiser`") from None

    return open_portal


def kaiser_refresh_policy(
    settings: Settings, secret_store: SecretStore, store: SqliteStore, *, ttl: timedelta = DEFAULT_TTL
) -> RefreshPolicy:
    """Searches refresh their surfaces through the sync engine when older than ``ttl``."""
    refresher = SyncRefresher(store, portal_opener(settings, secret_store), home=settings.home)
    return RefreshPolicy(refresher, SURFACE_TYPES, ttl=ttl)


@dataclass(frozen=True)
class KaiserSource:
    """The Kaiser record as a FHIR source: its store, how its searches refresh (None: served as stored) and
    its guarded writes (None: read-only). Every facade over it reports the same surfaces (the sync table)."""

    store: ResourceStore
    refresh: RefreshPolicy | None = None
    writes: WriteOperations | None = None

    def facade_settings(
        self,
        token: str,
        *,
        allowed_hosts: Sequence[str] = LOOPBACK_HOSTS,
        port: int | None = None,
        cors_origins: Sequence[str] = (),
        exports: ExportJobs | None = None,
        smart: SmartAuthorizationServer | None = None,
    ) -> FacadeSettings:
        """The facade over this source, reached with ``token`` at ``allowed_hosts`` (and ``port`` if given)."""
        extensions: list[FacadeExtension] = []
        if self.writes is not None:
            extensions.append(write_extension(self.store, self.writes))
        if exports is not None:
            from gateway.bulk import bulk_extension

            extensions.append(bulk_extension(exports))
        if smart is not None:
            from gateway.smart_server import smart_extension

            extensions.append(smart_extension(smart))
        return FacadeSettings(
            token=token,
            allowed_hosts=allowed_hosts,
            port=port,
            cors_origins=cors_origins,
            surface_types=SURFACE_TYPES,
            refresh=self.refresh,
            extensions=tuple(extensions),
        )

    def in_process_client(self) -> FhirClient:
        """A client of this source's facade in this process, with a token that never leaves it."""
        token = secrets.token_urlsafe(32)
        return FhirClient(IN_PROCESS_BASE, bearer_token=token, transport=self.in_process_transport(token))

    def in_process_transport(self, token: str) -> httpx2.ASGITransport:
        """This source's facade in this process, reached with ``token``."""
        return httpx2.ASGITransport(app=create_facade_app(self.store, self.facade_settings(token)))


def home_kaiser_source(
    settings: Settings,
    secret_store: SecretStore,
    store: SqliteStore,
    *,
    writes: WriteOperations,
    offline: bool,
    ttl: timedelta,
) -> KaiserSource:
    """The Kaiser source of a home, as `fhirgate serve` and `fhirgate mcp` serve it: searches refresh
    through the sync engine after ``ttl`` (never when ``offline``); ``writes`` (``write_operations``, shared
    with the web app's approvals) are served as FHIR operations."""
    refresh = None if offline else kaiser_refresh_policy(settings, secret_store, store, ttl=ttl)
    return KaiserSource(store, refresh, writes)


def in_process_kaiser_client(
    store: SqliteStore, writes: WriteOperations | None = None, *, refresh: RefreshPolicy | None = None
) -> FhirClient:
    """A client of the facade app in this process (``refresh`` None: the store is served as it is)."""
    return KaiserSource(store, refresh, writes).in_process_client()


def remote_kaiser_client(base_url: str, token: str) -> FhirClient:
    return FhirClient(base_url.rstrip("/"), bearer_token=token)
