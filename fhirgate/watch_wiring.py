"""A home's scheduled sync as `fhirgate watch` and `fhirgate serve --sync-every` run it: the saved Kaiser
session (silent re-login as `fhirgate sync` does it), the desktop notifier, and a pause until the
session in the keychain changes when Kaiser needs the person."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from fhirgate.desktop_notice import DesktopNotifier
from fhirgate.home_reach import HomeReach
from fhirgate.scheduled_sync import NotSignedIn, ScheduledSync
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.sync_schedule import SyncSchedule
from gateway.facade import RefreshFailed
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import SESSION_SECRET_NAME, load_session, save_session
from gateway.store import SqliteStore

__all__ = ["home_portal_opener", "home_scheduled_sync"]


def home_portal_opener(settings: Settings, secrets: SecretStore) -> Callable[[], Awaitable[PortalClient]]:
    """Opens a client on the home's saved Kaiser session (``NotSignedIn`` without one), re-signing in
    headlessly as `fhirgate sync` does, its requests through the home's guard."""
    from fhirgate.commands.login import headless_relogin  # Playwright is loaded only when a sync signs in

    async def open_portal() -> PortalClient:
        reach = HomeReach.for_settings(settings)
        refused = reach.refusal(settings.kaiser.portal_url)
        if refused is not None:
            raise RefreshFailed(refused)
        session = load_session(secrets)
        if session is None:
            raise NotSignedIn
        relogin = headless_relogin(settings, secrets, lambda fresh: save_session(secrets, fresh))
        return PortalClient(settings.kaiser, session, relogin=relogin, transport=reach.transport())

    return open_portal


def home_scheduled_sync(
    settings: Settings, secrets: SecretStore, store: SqliteStore, every: timedelta, *, notify: bool = True
) -> ScheduledSync:
    open_portal = home_portal_opener(settings, secrets)

    def session_marker() -> object:
        saved = secrets.get(SESSION_SECRET_NAME)
        return None if saved is None else hashlib.sha256(saved.encode()).hexdigest()

    schedule = SyncSchedule(every, clock=lambda: datetime.now(UTC), random=random.random)
    return ScheduledSync(
        home=settings.home,
        store=store,
        open_portal=open_portal,
        schedule=schedule,
        notifier=DesktopNotifier() if notify else None,
        session_marker=session_marker,
    )
