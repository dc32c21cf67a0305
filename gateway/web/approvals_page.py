"""The approvals page: every pending write or connection with its complete preview, and the person's
Approve / Reject. Only a signed-in browser (session cookie) with the form's CSRF token can decide."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.web.sessions import SESSION_COOKIE, WebSessions
from gateway.writes.approvals import Approval
from gateway.writes.decisions import ApprovalDecisions

__all__ = ["approvals_routes", "page", "small_form"]

MAX_FORM_BYTES = 2048

_TITLES = {
    "refill": "Prescription refill",
    "send-message": "Message to your Kaiser care team",
    "connect": "Connect a practice",
}
_LABELS = {
    "rx_number": "Rx number",
    "for": "For",
    "estimated_copay": "Estimated copay (sent with the order)",
    "mail_option_copay": "Mail-order copay quoted by the pharmacy",
    "ship_to": "Ship to",
    "payment_method_on_file": "Payment method on file",
    "text": "Message",
    "fhir_base_url": "FHIR base URL",
}


def approvals_routes(templates: Jinja2Templates, sessions: WebSessions, approvals: ApprovalDecisions) -> list[Route]:
    def signed_in(request: Request) -> str | None:
        session_id = request.cookies.get(SESSION_COOKIE)
        return session_id if session_id and sessions.is_valid(session_id) else None

    def sign_in_first(request: Request) -> Response:
        return page(templates, request, "signin.html", {"reason": "Sign in to approve or reject."}, 401)

    async def listing(request: Request) -> Response:
        if signed_in(request) is None:
            return sign_in_first(request)
        rows = [_view(approval) for approval in approvals.pending()]
        return page(templates, request, "approvals.html", {"approvals": rows})

    async def detail(request: Request) -> Response:
        session_id = signed_in(request)
        if session_id is None:
            return sign_in_first(request)
        approvals.expire_due()
        approval = approvals.store.get(request.path_params["approval_id"][:64])
        if approval is None:
            return page(templates, request, "missing.html", {}, 404)
        status = approvals.status(approval.id)
        context = {
            "approval": _view(approval),
            "status": status,
            "sign_in_url": _link_target(status.outcome.get("authorize_url")),
            "csrf": WebSessions.csrf_token(session_id),
        }
        return page(templates, request, "approval.html", context)

    async def decide(request: Request) -> Response:
        session_id = signed_in(request)
        if session_id is None:
            return page(templates, request, "signin.html", {"reason": "Sign in to approve or reject."}, 403)
        form = await small_form(request)
        if form is None:
            return page(templates, request, "forbidden.html", {}, 413)
        if not WebSessions.csrf_ok(session_id, form.get("csrf", "")):
            return page(templates, request, "forbidden.html", {}, 403)
        approval_id = request.path_params["approval_id"][:64]
        action = form.get("action")
        if action == "approve":
            await approvals.approve(approval_id, "web")
        elif action == "reject":
            approvals.reject(approval_id, "web")
        else:
            return page(templates, request, "forbidden.html", {}, 400)
        return RedirectResponse(f"/approvals/{approval_id}", status_code=303)

    return [
        Route("/approvals", listing, methods=["GET"]),
        Route("/approvals/{approval_id}", detail, methods=["GET"]),
        Route("/approvals/{approval_id}", decide, methods=["POST"]),
    ]


def page(
    templates: Jinja2Templates, request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A server-rendered page (autoescaped) with its status code."""
    response: Response = templates.TemplateResponse(request, name, context, status_code=status_code)
    return response


async def small_form(request: Request) -> dict[str, str] | None:
    """The url-encoded form of a decision (a few dozen bytes); None when the body is larger than any
    form of ours, so a client cannot make the server buffer an unbounded body."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=8)
    except ValueError:  # more fields than any form of ours has
        return None
    return {key: values[0] for key, values in fields.items()}


def _link_target(url: object) -> str | None:
    """A practice's sign-in URL, only if it is one a link may point to (https, or plain http on loopback):
    it comes from the practice's discovery document, so it is not trusted to be a web address at all."""
    if not isinstance(url, str):
        return None
    return url if url.startswith(("https://", "http://127.0.0.1:", "http://localhost:")) else None


def _view(approval: Approval) -> dict[str, Any]:
    rows = [
        {
            "label": _LABELS.get(key, key.replace("_", " ").capitalize()),
            "value": ("yes" if value else "no") if isinstance(value, bool) else str(value),
            "long": key == "text",
        }
        for key, value in approval.preview.items()
    ]
    return {
        "id": approval.id,
        "title": _TITLES.get(approval.kind, approval.kind),
        "rows": rows,
        "pending": approval.status == "pending",
        "expires": f"{approval.expires_at:%H:%M:%S} UTC",
        "intact": approval.intact,
    }
