"""The access-logs surface: both logs as AuditEvents; a log whose cursor repeated is reported incomplete."""

from __future__ import annotations

from gateway.kaiser.surfaces import access_logs
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.access_logs import translate_access_log


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(access_logs.SURFACE, 2)
    collected = Collected()
    for log in await access_logs.fetch_access_logs(ctx.client):
        collected.result.extend(translate_access_log(log.entries, log.name, ctx.translation()))
        if not log.complete:
            collected.problems.append(
                f"surface=access-logs: the {log.name} log's paging cursor repeated after {len(log.entries)} entries;"
                " older entries are not reachable and are not included"
            )
        ctx.progress.surface_advanced(access_logs.SURFACE)
    return collected


ACCESS_LOGS = Surface(access_logs.SURFACE, "Access logs", ("AuditEvent",), _collect)
