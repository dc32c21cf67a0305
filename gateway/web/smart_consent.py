"""The SMART consent page: an app's authorize request, shown to the signed-in person with what it asks to
read, and their Allow / Deny. Same rules as the approvals page: session cookie + CSRF token to decide.

``GET /smart/authorize`` checks the request (an unknown app or redirect URI is shown here, never
redirected) and shows the consent, or how to sign in first (``fhirgate open --next /smart/consent/ID``);
``POST /smart/consent/{id}`` decides, then sends the browser back to the app. That last hop is a page
with a meta refresh and a link: the CSP's ``form-action 'self'`` would block a redirect after the form.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from gateway.facade.smart import AUTHORIZE_PATH
from gateway.smart_server import AuthorizationRequest, OAuthError, SmartAuthorizationServer
from gateway.web.approvals_page import page, small_form
from gateway.web.sessions import SESSION_COOKIE, WebSessions

__all__ = ["CONSENT_PATH", "smart_consent_routes"]

CONSENT_PATH = "/smart/consent/"
_CONTEXT_WORDS = {
    "launch/patient": "Know which patient record it is reading (yours)",
    "openid": "Confirm who you are (a signed identity token)",
    "fhirUser": "Confirm who you are (a signed identity token)",
    "offline_access": "Keep reading after you close it, until you revoke it",
}


def smart_consent_routes(
    templates: Jinja2Templates, sessions: WebSessions, server: SmartAuthorizationServer
) -> list[Route]:
    def signed_in(request: Request) -> str | None:
        session_id = request.cookies.get(SESSION_COOKIE)
        return session_id if session_id and sessions.is_valid(session_id) else None

    def consent_or_sign_in(request: Request, launch: AuthorizationRequest) -> Response:
        session_id = signed_in(request)
        if session_id is None:
            sign_in = {"next": f"{CONSENT_PATH}{launch.id}", "app_name": launch.app.name}
            return page(templates, request, "smart_sign_in.html", sign_in, 401)
        consent = {"launch": _view(launch), "csrf": WebSessions.csrf_token(session_id)}
        return page(templates, request, "smart_consent.html", consent)

    async def authorize(request: Request) -> Response:
        params = {key: value[:2048] for key, value in request.query_params.items()}
        origin = str(request.base_url).rstrip("/")
        try:
            launch = server.start(params, origin + "/fhir")
        except OAuthError as exc:
            return page(templates, request, "smart_error.html", {"reason": exc.description}, 400)
        return consent_or_sign_in(request, launch)

    async def consent(request: Request) -> Response:
        launch = server.pending(request.path_params["request_id"])
        if launch is None:
            return page(templates, request, "missing.html", {}, 404)
        return consent_or_sign_in(request, launch)

    async def decide(request: Request) -> Response:
        session_id = signed_in(request)
        if session_id is None:
            return page(templates, request, "signin.html", {"reason": "Sign in to allow or deny an app."}, 403)
        form = await small_form(request)
        if form is None:
            return page(templates, request, "forbidden.html", {}, 413)
        if not WebSessions.csrf_ok(session_id, form.get("csrf", "")):
            return page(templates, request, "forbidden.html", {}, 403)
        action = form.get("action")
        if action not in ("allow", "deny"):
            return page(templates, request, "forbidden.html", {}, 400)
        back = server.decide(request.path_params["request_id"], approve=action == "allow")
        if back is None:
            return page(templates, request, "missing.html", {}, 404)
        return page(templates, request, "smart_return.html", {"back": back, "allowed": action == "allow"})

    return [
        Route(AUTHORIZE_PATH, authorize, methods=["GET"]),
        Route(CONSENT_PATH + "{request_id}", consent, methods=["GET"]),
        Route(CONSENT_PATH + "{request_id}", decide, methods=["POST"]),
    ]


def _view(launch: AuthorizationRequest) -> dict[str, Any]:
    readable = sorted(launch.grant.readable)
    reads = ["Everything in your record"] if "*" in readable else readable
    context = list(dict.fromkeys(_CONTEXT_WORDS[s] for s in launch.grant.scopes if s in _CONTEXT_WORDS))
    return {
        "id": launch.id,
        "app_name": launch.app.name,
        "redirect_uri": launch.redirect_uri,
        "reads": reads,
        "context": context,
    }
