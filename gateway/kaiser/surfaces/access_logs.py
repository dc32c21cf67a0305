"""The access-logs surface: both logs as AuditEvents; a log whose cursor repeated is reported incomplete.

Access logs: portal and third-party logs, each walked back by its ``nextLineToParse`` cursor (§2.5).

The third-party log repeats its cursor after page 2, so the walk stops on a repeated (or non-advancing)
cursor and reports the log as incomplete rather than looping.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.access_logs import translate_access_log

SURFACE = "access-logs"
PAGE = "app/access-logs?lang=en-US&from=landingpage"
MAX_PAGES = 200  # a guard against a cursor that moves forever; far beyond any real log

log = logging.getLogger("fhirgate.kaiser")

LogName = Literal["portal", "third-party"]
_ENDPOINTS: dict[LogName, str] = {
    "portal": "api/access-logs/GetPortalAccessLogEntries",
    "third-party": "api/access-logs/GetThirdPartyAccessLogEntries",
}


@dataclass(frozen=True)
class AccessLog:
    name: LogName
    entries: list[Any]
    complete: bool
    """False when the cursor repeated or stalled before the log's beginning was reached."""


async def fetch_access_log(client: PortalClient, name: LogName, csrf: str) -> AccessLog:
    entries: list[Any] = []
    cursor, seen = -1, set[int]()
    for _ in range(MAX_PAGES):
        seen.add(cursor)
        body = await client.mychart_post_json(
            _ENDPOINTS[name], {"startingLine": cursor}, surface=SURFACE, key=name, referer_path=PAGE, csrf=csrf
        )
        page = body.get("entries") if isinstance(body, dict) else None
        next_line = body.get("nextLineToParse") if isinstance(body, dict) else None
        if not isinstance(page, list) or not isinstance(next_line, int) or isinstance(next_line, bool):
            raise MalformedPayload(SURFACE, name, "no entries list or nextLineToParse")
        entries.extend(page)
        if not page or next_line <= 0:
            return AccessLog(name, entries, complete=True)
        if next_line in seen:
            log.info("event=access_log_incomplete log=%s entries=%d reason=cursor_repeated", name, len(entries))
            return AccessLog(name, entries, complete=False)
        cursor = next_line
    return AccessLog(name, entries, complete=False)


async def fetch_access_logs(client: PortalClient) -> list[AccessLog]:
    csrf = await client.csrf_token(PAGE)
    return [await fetch_access_log(client, name, csrf) for name in _ENDPOINTS]


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 2)
    collected = Collected()
    for access_log in await fetch_access_logs(ctx.client):
        collected.result.extend(translate_access_log(access_log.entries, access_log.name, ctx.translation()))
        if not access_log.complete:
            collected.problems.append(
                f"surface=access-logs: the {access_log.name} log's paging cursor repeated after"
                f" {len(access_log.entries)} entries; older entries are not reachable and are not included"
            )
        ctx.progress.surface_advanced(SURFACE)
    return collected


ACCESS_LOGS = Surface(SURFACE, "Access logs", ("AuditEvent",), _collect)
