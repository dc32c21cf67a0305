"""`fhirgate sync`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from fhirgate.cli_app import UserFacingError, app, err, run_async, settings_from_env
from fhirgate.commands.login import headless_relogin
from fhirgate.home_reach import HomeReach
from fhirgate.secrets import SecretStore
from fhirgate.sync_lock import SyncAlreadyRunning, home_sync_lock
from gateway.kaiser.session import load_session, save_session


@app.command()
def sync(
    surface: Annotated[list[str] | None, typer.Option(help="Only these surfaces (repeatable).")] = None,
    full: Annotated[bool, typer.Option(help="Fetch every detail again, ignoring what earlier syncs kept.")] = False,
) -> None:
    """Pull the Kaiser record into the local store, with progress bars and a summary."""
    settings = settings_from_env()

    async def work() -> None:
        from fhirgate.progress_bars import RichSyncProgress, problem_lines, summary_table
        from gateway.kaiser.portal_client import PortalClient
        from gateway.store import SqliteStore
        from gateway.sync.engine import SyncEngine

        secrets = SecretStore.for_settings(settings)
        reach = HomeReach.for_settings(settings)
        refused = reach.refusal(settings.kaiser.portal_url)
        if refused is not None:
            raise UserFacingError(refused)
        session = load_session(secrets)
        if session is None:
            raise UserFacingError("not signed in to Kaiser: run `fhirgate login kaiser` first")

        relogin = headless_relogin(settings, secrets, lambda fresh: save_session(secrets, fresh))

        store = SqliteStore.open(settings.store_path)
        try:
            with home_sync_lock(settings.home):
                portal = PortalClient(settings.kaiser, session, relogin=relogin, transport=reach.transport())
                async with portal as client:
                    with RichSyncProgress(err) as progress:
                        engine = SyncEngine(client, store, clock=lambda: datetime.now(UTC), progress=progress)
                        report = await engine.run(surface, full=full)
            err.print(summary_table(report.surfaces))
            for line in problem_lines(report.surfaces):
                err.print(line, markup=False, highlight=False)
            if report.login_required:
                raise UserFacingError(report.login_required)
            if not report.ok:
                raise UserFacingError("some surfaces failed; their earlier data is kept (see the table)")
        except SyncAlreadyRunning as exc:
            raise UserFacingError(str(exc)) from None
        finally:
            store.close()

    run_async(work)
