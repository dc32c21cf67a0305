"""The sync-now routes: ``POST /sync`` (session cookie + CSRF token) starts a sync of the home's Kaiser
source through the injected ``SyncLauncher`` and redirects to ``GET /sync``, the progress page, which
refreshes itself (a ``<meta http-equiv="refresh">``, no script) while the sync runs and stops when it ends.
A refusal (a sync of this home already running, a session that needs the person) is a 409 page saying why."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.web.approvals_page import page, small_form
from gateway.web.sessions import SESSION_COOKIE, WebSessions
from gateway.web.sync_now import SyncBoard, SyncLauncher, SyncRefused

__all__ = ["REFRESH_SECONDS", "sync_routes"]

REFRESH_SECONDS = 2
ALREADY_RUNNING_HERE = "a sync started from this page is still running: its progress is below"


def sync_routes(
    templates: Jinja2Templates,
    sessions: WebSessions,
    board: SyncBoard,
    launcher: SyncLauncher,
    expected: Callable[[], Sequence[str]],
) -> list[Route]:
    """``expected``: the surfaces a sync will run (those synced before), shown as waiting from the start."""

    def session(request: Request) -> str | None:
        session_id = request.cookies.get(SESSION_COOKIE)
        return session_id if session_id and sessions.is_valid(session_id) else None

    async def start(request: Request) -> Response:
        session_id = session(request)
        if session_id is None:
            return page(templates, request, "signin.html", {"reason": "Sign in to sync your record."}, 403)
        form = await small_form(request)
        if form is None:
            return page(templates, request, "forbidden.html", {}, 413)
        if not WebSessions.csrf_ok(session_id, form.get("csrf", "")):
            return page(templates, request, "forbidden.html", {}, 403)
        if not board.begin(expected()):
            return _refused(request, session_id, ALREADY_RUNNING_HERE)
        try:
            launcher.launch(board, board.end)
        except SyncRefused as refusal:
            board.refused(str(refusal))
            return _refused(request, session_id, str(refusal))
        return RedirectResponse("/sync", status_code=303)

    async def progress(request: Request) -> Response:
        session_id = session(request)
        if session_id is None:
            return page(templates, request, "signin.html", {"reason": "Sign in to see your record."}, 401)
        context = {"board": board.view(), "csrf": WebSessions.csrf_token(session_id), "refresh": REFRESH_SECONDS}
        return page(templates, request, "sync_progress.html", context)

    def _refused(request: Request, session_id: str, reason: str) -> Response:
        context = {
            "board": board.view(),
            "csrf": WebSessions.csrf_token(session_id),
            "refresh": REFRESH_SECONDS,
            "refusal": reason,
        }
        return page(templates, request, "sync_progress.html", context, 409)

    return [Route("/sync", progress, methods=["GET"]), Route("/sync", start, methods=["POST"])]
