"""A home's scheduled sync as `fhirgate watch` and `fhirgate serve --sync-every` run it: the saved Kaiser
session (silent re-login as `fhirgate sync` does it), the desktop notifier, and a pause until the
session in the keychain changes when Kaiser needs the person."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta

from fhirgate.desktop_notice import DesktopNotifier
from fhirgate.kaiser_source import home_portal_opener
from fhirgate.scheduled_sync import ScheduledSync
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.sync_schedule import SyncSchedule
from gateway.kaiser.session import SESSION_SECRET_NAME
from gateway.store import SqliteStore

__all__ = ["home_scheduled_sync"]


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
