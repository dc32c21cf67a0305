"""`create_web_app`: the local web app (sign-in by one-time link, the record's pages, the approvals page).

Routes: ``GET /login?token=[&next=]`` spends a one-time link and sets the session cookie (HttpOnly,
SameSite=Strict); ``GET /`` and ``GET /approvals`` list what waits for the person; ``GET /approvals/{id}``
shows one complete preview with Approve / Reject; ``POST /approvals/{id}`` decides it (session cookie +
CSRF token required) and redirects back (POST-redirect-GET: a reload never re-posts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.store.protocol import ResourceStore
from gateway.web.approvals_page import approvals_routes, page
from gateway.web.practice_reading import PracticeReader, PracticeRecords
from gateway.web.record_pages import record_routes
from gateway.web.security import WebGuardMiddleware
from gateway.web.sessions import SESSION_COOKIE, SESSION_TTL, WebSessions
from gateway.web.sync_now import SyncBoard, SyncLauncher
from gateway.web.sync_pages import sync_routes
from gateway.writes.decisions import ApprovalDecisions

if TYPE_CHECKING:
    from gateway.smart_server import SmartAuthorizationServer

__all__ = ["WebSettings", "create_web_app"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")
_TEMPLATES = Path(__file__).parent / "templates"
_STYLESHEET = (Path(__file__).parent / "static" / "app.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class WebSettings:
    port: int | None
    """The port the app is served on (the Host check requires it); None only in-process."""
    allowed_hosts: Sequence[str] = LOOPBACK_NAMES
    sync_note: Callable[[], str | None] = lambda: None
    """The scheduled sync's state for the overview (e.g. paused until the person signs in again)."""


# Where a sign-in link may send the browser on (`fhirgate open --next`): our own pages only.
NEXT_PREFIXES = ("/approvals", "/smart/consent/", "/overview")


def _next_page(requested: str, start: str) -> str:
    safe = requested.startswith(NEXT_PREFIXES) and len(requested) <= 200 and "//" not in requested
    return requested if safe else start


def create_web_app(
    settings: WebSettings,
    *,
    sessions: WebSessions,
    approvals: ApprovalDecisions,
    smart: SmartAuthorizationServer | None = None,
    record: ResourceStore | None = None,
    sync_now: SyncLauncher | None = None,
    practices: PracticeReader | None = None,
) -> Starlette:
    """With ``record`` (the store the facade serves), the record's pages too; without, approvals only.
    With ``sync_now`` as well, the Overview's "Sync now" button and the sync's progress page; with
    ``practices``, the connected practices on the Overview and their facts in the labs, tables and timeline."""
    start = "/overview" if record is not None else "/approvals"
    templates = Jinja2Templates(env=Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=True))

    async def login(request: Request) -> Response:
        session_id = sessions.redeem_login_link(request.query_params.get("token", ""))
        if session_id is None:
            return page(templates, request, "signin.html", {"reason": "This sign-in link is not valid any more."}, 403)
        response = RedirectResponse(_next_page(request.query_params.get("next", ""), start), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            max_age=int(SESSION_TTL.total_seconds()),
            path="/",
            httponly=True,
            samesite="strict",
        )
        return response

    async def home(request: Request) -> Response:
        return RedirectResponse(start, status_code=303)

    async def stylesheet(request: Request) -> Response:
        return Response(_STYLESHEET, media_type="text/css")

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/login", login, methods=["GET"]),
        Route("/static/app.css", stylesheet, methods=["GET"]),
        *approvals_routes(templates, sessions, approvals),
    ]
    if record is not None:
        board = SyncBoard() if sync_now is not None else None
        routes += record_routes(
            templates,
            sessions,
            record,
            sync_note=settings.sync_note,
            sync_board=board,
            practices=None if practices is None else PracticeRecords(practices),
        )
        if sync_now is not None and board is not None:
            surfaces = record.surface_states
            routes += sync_routes(templates, sessions, board, sync_now, lambda: [s.surface for s in surfaces()])
    if smart is not None:
        from gateway.web.smart_consent import smart_consent_routes

        routes += smart_consent_routes(templates, sessions, smart)
    guard = Middleware(WebGuardMiddleware, allowed_hosts=settings.allowed_hosts, port=settings.port)
    return Starlette(routes=routes, middleware=[guard])
