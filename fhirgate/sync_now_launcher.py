"""The web app's "Sync now" for a home (``gateway.web.sync_now.SyncLauncher``): refuses at once when the
home's sync lock is held (the scheduled sync, `fhirgate sync`, another page) or no Kaiser session is saved,
else runs the sync of every surface in a thread of its own (own event loop, own store connection: SQLite
connections stay in the thread that opened them), holding the lock until the sync ends."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from fhirgate.scheduled_sync import NotSignedIn
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.sync_lock import SyncAlreadyRunning, home_sync_lock
from gateway.facade import RefreshFailed
from gateway.kaiser.errors import KaiserError, LoginFailed, SessionExpired
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import load_session
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from gateway.sync.progress import SyncProgress
from gateway.web.sync_now import SyncEnd, SyncRefused

__all__ = ["BUSY", "SIGN_IN", "HomeSyncLauncher", "home_sync_launcher"]

log = logging.getLogger(__name__)
SIGN_IN = "Kaiser needs you to sign in again: run `fhirgate login kaiser`, then sync again"
BUSY = "a sync of this home is already running (the scheduled sync or `fhirgate sync`); try again when it ends"


class HomeSyncLauncher:
    def __init__(
        self,
        *,
        home: Path,
        store_path: Path,
        open_portal: Callable[[], Awaitable[PortalClient]],
        signed_in: Callable[[], bool],
    ) -> None:
        self.home = home
        self.store_path = store_path
        self.open_portal = open_portal
        self.signed_in = signed_in

    def launch(self, progress: SyncProgress, finished: Callable[[SyncEnd], None]) -> None:
        if not self.signed_in():
            raise SyncRefused(SIGN_IN)
        held = ExitStack()
        try:
            held.enter_context(home_sync_lock(self.home))
        except SyncAlreadyRunning:
            raise SyncRefused(BUSY) from None
        thread = threading.Thread(
            target=self._run, args=(held, progress, finished), name="fhirgate-sync-now", daemon=True
        )
        thread.start()

    def _run(self, held: ExitStack, progress: SyncProgress, finished: Callable[[SyncEnd], None]) -> None:
        with held:
            end = asyncio.run(self._sync(progress))
        finished(end)

    async def _sync(self, progress: SyncProgress) -> SyncEnd:
        store = SqliteStore.open(self.store_path)
        try:
            async with await self.open_portal() as client:
                report = await SyncEngine(client, store, clock=lambda: datetime.now(UTC), progress=progress).run()
        except (NotSignedIn, LoginFailed, SessionExpired):
            return SyncEnd(ok=False, note=SIGN_IN)
        except (KaiserError, RefreshFailed, OSError) as exc:
            return SyncEnd(ok=False, note=f"the sync could not reach Kaiser ({type(exc).__name__}); try again later")
        except Exception as exc:  # the serving process must outlive a sync's bug; no payload in the note
            log.warning("event=sync_now_crashed error_type=%s", type(exc).__name__)
            return SyncEnd(ok=False, note=f"the sync stopped on an unexpected {type(exc).__name__} (a fhirgate bug)")
        finally:
            store.close()
        return _ending(report)


def _ending(report: SyncReport) -> SyncEnd:
    if report.login_required:
        return SyncEnd(ok=False, note=SIGN_IN)
    failed = [r.surface for r in report.surfaces if not r.ok]
    if failed:
        return SyncEnd(ok=False, note=f"{len(failed)} part(s) failed ({', '.join(failed)}); the rest is saved")
    return SyncEnd(ok=True, note=f"every part of the portal synced ({len(report.surfaces)})")


def home_sync_launcher(settings: Settings, secrets: SecretStore) -> HomeSyncLauncher:
    """Sync now for the home's saved Kaiser session (as `fhirgate watch` syncs it)."""
    from fhirgate.kaiser_source import home_portal_opener

    return HomeSyncLauncher(
        home=settings.home,
        store_path=settings.store_path,
        open_portal=home_portal_opener(settings, secrets),
        signed_in=lambda: load_session(secrets) is not None,
    )
