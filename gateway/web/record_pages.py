"""The record's pages (overview, timeline, labs, the tables, visits, messages, documents), the stored
FHIR JSON behind each fact and the Binary content a page embeds. Every route needs the session cookie;
each handler reads the store through ``RecordReader`` and hands view objects to a template."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.store.protocol import ResourceStore
from gateway.web.approvals_page import page
from gateway.web.correspondence_views import document_view, documents, thread, threads, visits
from gateway.web.lab_views import analytes, report_view, with_charts
from gateway.web.last_looked import LastLooked
from gateway.web.practice_reading import PracticeRecords, Query
from gateway.web.record_reading import RecordReader
from gateway.web.record_tables import TABLES, table_rows
from gateway.web.record_views import TIMELINE_KINDS, overview, paged, timeline
from gateway.web.sessions import SESSION_COOKIE, WebSessions
from gateway.web.sync_now import SyncBoard

__all__ = ["ANALYTES_PER_PAGE", "EMBEDDABLE_TYPES", "record_routes"]

ANALYTES_PER_PAGE = 8
MAX_FORM_BYTES = 512
EMBEDDABLE_TYPES = ("application/pdf", "image/png", "image/jpeg", "text/plain")
"""The Binary content types ``/binary/{id}`` serves (inline, under the page's origin); anything else is refused."""
_TABLES = {table.slug: table for table in TABLES}
LAB_QUERY: Query = ("Observation", (("category", "laboratory"),))
Handler = Callable[[Request], Awaitable[Response]]
SignedInHandler = Callable[[Request, str], Awaitable[Response]]


def record_routes(
    templates: Jinja2Templates,
    sessions: WebSessions,
    store: ResourceStore,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sync_note: Callable[[], str | None] = lambda: None,
    sync_board: SyncBoard | None = None,
    practices: PracticeRecords | None = None,
) -> list[Route]:
    """``sync_board``: the sync-now board when this app can start a sync (the Overview then offers it);
    ``practices``: the connected practices, whose facts the labs, the tables and the timeline show too."""
    pages = RecordPages(
        templates, sessions, store, clock=clock, sync_note=sync_note, sync_board=sync_board, practices=practices
    )
    return pages.routes()


class RecordPages:
    """The record's page handlers over one store; ``routes()`` mounts them behind the session cookie."""

    def __init__(
        self,
        templates: Jinja2Templates,
        sessions: WebSessions,
        store: ResourceStore,
        *,
        clock: Callable[[], datetime],
        sync_note: Callable[[], str | None],
        sync_board: SyncBoard | None,
        practices: PracticeRecords | None,
    ) -> None:
        self.templates, self.sessions, self.clock = templates, sessions, clock
        self.sync_note, self.sync_board, self.practices = sync_note, sync_board, practices
        self.reader = RecordReader(store)
        self.looked = LastLooked(sessions.path)

    async def with_practices(self, queries: list[Query]) -> tuple[RecordReader, list[str]]:
        """The reader with what ``queries`` find at every practice, and one line per practice that failed."""
        if self.practices is None:
            return self.reader, []
        facts = await self.practices.facts(queries)
        return self.reader.with_practices(facts.resources), facts.problems

    def signed_in(self, handler: SignedInHandler) -> Handler:
        """``handler`` with the session id, once the cookie names a live session; the sign-in page otherwise."""

        async def guarded(request: Request) -> Response:
            session_id = request.cookies.get(SESSION_COOKIE)
            if not session_id or not self.sessions.is_valid(session_id):
                return page(self.templates, request, "signin.html", {"reason": "Sign in to see your record."}, 401)
            return await handler(request, session_id)

        return guarded

    def missing(self, request: Request, what: str) -> Response:
        return page(self.templates, request, "record_missing.html", {"what": what}, 404)

    def number(self, request: Request) -> int:
        raw = request.query_params.get("page", "1")[:6]
        return int(raw) if raw.isdigit() else 1

    async def overview_page(self, request: Request, session_id: str) -> Response:
        context = {
            "view": overview(
                self.reader, self.looked.get(), self.practices.states() if self.practices is not None else None
            ),
            "csrf": WebSessions.csrf_token(session_id),
            "sync_note": self.sync_note(),
            "sync_now": None if self.sync_board is None else self.sync_board.view(),
        }
        return page(self.templates, request, "overview.html", context)

    async def mark_seen(self, request: Request, session_id: str) -> Response:
        body = b""
        async for chunk in request.stream():  # the form is one token: never buffer more than a few hundred bytes
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return page(self.templates, request, "forbidden.html", {}, 413)
        try:
            given = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=4).get("csrf", [""])[0]
        except ValueError:
            given = ""
        if not WebSessions.csrf_ok(session_id, given):
            return page(self.templates, request, "forbidden.html", {}, 403)
        self.looked.mark(self.clock())
        return RedirectResponse("/overview", status_code=303)

    async def timeline_page(self, request: Request, _: str) -> Response:
        kind = request.query_params.get("type") or None
        kind = kind if kind in TIMELINE_KINDS else None
        source = (request.query_params.get("source") or "")[:40] or None
        wanted = [kind_type for slug, (_, kind_type) in TIMELINE_KINDS.items() if kind in (None, slug)]
        combined, problems = await self.with_practices([(resource_type, ()) for resource_type in wanted])
        entries, sources = timeline(combined, kind, source)
        context = {
            "practice_problems_found": problems,
            "page": paged(entries, self.number(request)),
            "kinds": TIMELINE_KINDS,
            "kind": kind,
            "sources": sources,
            "source": source,
        }
        return page(self.templates, request, "timeline.html", context)

    async def labs_page(self, request: Request, _: str) -> Response:
        combined, problems = await self.with_practices([LAB_QUERY])
        groups = analytes(combined, self.looked.get())
        shown = paged(groups, self.number(request), ANALYTES_PER_PAGE)
        with_charts(shown.items)
        context = {"page": shown, "every": groups, "practice_problems_found": problems}
        return page(self.templates, request, "labs.html", context)

    async def report_page(self, request: Request, _: str) -> Response:
        view = report_view(self.reader, request.path_params["report_id"])
        return (
            self.missing(request, "report")
            if view is None
            else page(self.templates, request, "report.html", {"report": view})
        )

    async def table_page(self, request: Request, _: str) -> Response:
        table = _TABLES.get(request.path_params["slug"])
        if table is None:
            return self.missing(request, "list")
        combined, problems = await self.with_practices([(table.resource_type, ())])
        rows = paged(table_rows(combined, table), self.number(request))
        context = {"table": table, "page": rows, "practice_problems_found": problems}
        return page(self.templates, request, "record_table.html", context)

    async def visits_page(self, request: Request, _: str) -> Response:
        return page(self.templates, request, "visits.html", {"page": paged(visits(self.reader), self.number(request))})

    async def messages_page(self, request: Request, _: str) -> Response:
        return page(
            self.templates, request, "messages.html", {"page": paged(threads(self.reader), self.number(request))}
        )

    async def thread_page(self, request: Request, _: str) -> Response:
        found = thread(self.reader, request.path_params["message_id"])
        if found is None:
            return self.missing(request, "message")
        return page(self.templates, request, "thread.html", {"subject": found[0], "messages": found[1]})

    async def documents_page(self, request: Request, _: str) -> Response:
        return page(
            self.templates, request, "documents.html", {"page": paged(documents(self.reader), self.number(request))}
        )

    async def document_page(self, request: Request, _: str) -> Response:
        view = document_view(self.reader, request.path_params["document_id"])
        return (
            self.missing(request, "document")
            if view is None
            else page(self.templates, request, "document.html", {"document": view})
        )

    async def resource_json(self, request: Request, _: str) -> Response:
        resource_type, resource_id = request.path_params["resource_type"][:64], request.path_params["resource_id"]
        text = self.reader.json_text(resource_type, resource_id) if resource_type != "Binary" else None
        if text is None:
            return self.missing(request, "resource")
        context = {"resource_type": resource_type, "resource_id": resource_id, "json": _pretty(text)}
        return page(self.templates, request, "resource_json.html", context)

    async def practice_json(self, request: Request, _: str) -> Response:
        name, resource_type = request.path_params["name"][:64], request.path_params["resource_type"][:64]
        resource_id = request.path_params["resource_id"][:64]
        found = None if self.practices is None else await self.practices.read(name, resource_type, resource_id)
        if found is None:
            return self.missing(request, "resource")
        context = {
            "resource_type": resource_type,
            "resource_id": resource_id,
            "json": json.dumps(found, indent=2, ensure_ascii=False),
            "source": name,
        }
        return page(self.templates, request, "resource_json.html", context)

    async def binary(self, request: Request, _: str) -> Response:
        found = self.reader.one("Binary", request.path_params["binary_id"])
        kind = str((found or {}).get("contentType", "")).split(";")[0].strip().lower()
        if found is None or kind not in EMBEDDABLE_TYPES:
            return self.missing(request, "attachment")
        try:
            content = base64.b64decode(str(found.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            return self.missing(request, "attachment")
        return Response(content, media_type=kind, headers={"Content-Disposition": "inline"})

    def routes(self) -> list[Route]:
        s = self.signed_in
        return [
            Route("/overview", s(self.overview_page), methods=["GET"]),
            Route("/overview/seen", s(self.mark_seen), methods=["POST"]),
            Route("/timeline", s(self.timeline_page), methods=["GET"]),
            Route("/labs", s(self.labs_page), methods=["GET"]),
            Route("/labs/reports/{report_id}", s(self.report_page), methods=["GET"]),
            Route("/record/{slug}", s(self.table_page), methods=["GET"]),
            Route("/visits", s(self.visits_page), methods=["GET"]),
            Route("/messages", s(self.messages_page), methods=["GET"]),
            Route("/messages/{message_id}", s(self.thread_page), methods=["GET"]),
            Route("/documents", s(self.documents_page), methods=["GET"]),
            Route("/documents/{document_id}", s(self.document_page), methods=["GET"]),
            Route("/resource/{resource_type}/{resource_id}", s(self.resource_json), methods=["GET"]),
            Route("/binary/{binary_id}", s(self.binary), methods=["GET"]),
            Route("/practice/{name}/{resource_type}/{resource_id}", s(self.practice_json), methods=["GET"]),
        ]


def _pretty(json_text: str) -> str:
    return json.dumps(json.loads(json_text), indent=2, ensure_ascii=False)
