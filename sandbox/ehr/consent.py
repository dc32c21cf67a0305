"""The sandbox EHR's authorize endpoint: login page, consent page, redirect with the code.

Plain HTML forms (no script), so a person or headless Chromium can drive them: the patient signs
in, unticks any scope they do not want to share, and allows or denies. Errors in the client id or
redirect URI are shown on the page and never redirected (RFC 6749 §4.1.2.1); other request
errors go back to the app as `error=` on its redirect URI.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass, replace
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sandbox.ehr.config import EhrClient, EhrConfig
from sandbox.ehr.grants import Grant, GrantLedger

__all__ = ["AuthorizePages", "redirect_allowed"]

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def redirect_allowed(client: EhrClient, redirect_uri: str) -> bool:
    """Exact match, except that a loopback redirect may use any port (RFC 8252 §7.3)."""
    if redirect_uri in client.redirect_uris:
        return True
    asked = urlsplit(redirect_uri)
    for registered in map(urlsplit, client.redirect_uris):
        same_host = asked.hostname in _LOOPBACK and registered.hostname == asked.hostname
        if same_host and (asked.scheme, asked.path) == (registered.scheme, registered.path):
            return True
    return False


@dataclass(frozen=True)
class _Pending:
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str
    code_challenge: str
    signed_in: bool = False


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
        f"<body><h1>Sandbox Family Practice</h1><h2>{html.escape(title)}</h2>{body}</body></html>",
        status_code=status,
    )


class AuthorizePages:
    def __init__(self, config: EhrConfig, ledger: GrantLedger, patient_id: str, patient_name: str) -> None:
        self._config = config
        self._ledger = ledger
        self._patient_id = patient_id
        self._patient_name = patient_name
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def _fhir_base(self, request: Request) -> str:
        return f"{str(request.base_url).rstrip('/')}/fhir/r4/{self._config.org_id}"

    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        client = self._config.client(q.get("client_id", ""))
        redirect_uri = q.get("redirect_uri", "")
        if client is None:
            return _page("Unknown application", "<p id='error'>This app (client_id) is not registered.</p>", 400)
        if not redirect_allowed(client, redirect_uri):
            return _page("Invalid redirect", "<p id='error'>redirect_uri is not registered for this app.</p>", 400)
        state = q.get("state", "")

        def back(error: str, description: str) -> Response:
            query = urlencode({"error": error, "error_description": description, "state": state})
            return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

        if q.get("response_type") != "code":
            return back("unsupported_response_type", "response_type must be code")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return back("invalid_request", "PKCE with code_challenge_method=S256 is required")
        aud_host = (urlsplit(q.get("aud", "")).hostname or "").lower()
        if self._config.profile == "ecw" and aud_host == self._config.provider_host.lower():
            return _page(
                "Forbidden", "<p id='error'>Patient apps must use the patient host (fhir4.healow.com).</p>", 403
            )
        if q.get("aud", "").rstrip("/") != self._fhir_base(request):
            return back("invalid_request", "aud must be this practice's FHIR base URL")
        request_id = secrets.token_urlsafe(16)
        with self._lock:
            self._pending[request_id] = _Pending(
                client.client_id, redirect_uri, tuple(q.get("scope", "").split()), state, q["code_challenge"]
            )
        return self._login_page(request_id, "")

    def _login_page(self, request_id: str, error: str) -> HTMLResponse:
        message = f"<p id='error' role='alert'>{html.escape(error)}</p>" if error else ""
        return _page(
            "Sign in to share your record",
            f"{message}<form method='post' action='/oauth/oauth2/login'>"
            f"<input type='hidden' name='request_id' value='{html.escape(request_id)}'>"
            "<label>Username <input name='username' id='username' autocomplete='username'></label>"
            "<label>Password <input name='password' id='password' type='password'></label>"
            "<button type='submit' id='sign-in'>Sign in</button></form>",
        )

    async def login(self, request: Request) -> Response:
        form = await request.form()
        request_id = str(form.get("request_id", ""))
        with self._lock:
            pending = self._pending.get(request_id)
        if pending is None:
            return _page("Request expired", "<p id='error'>Start again from the app.</p>", 400)
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        if username != self._config.username or not secrets.compare_digest(
            password.encode(), self._config.password.encode()
        ):
            return self._login_page(request_id, "Username or password is not correct.")
        with self._lock:
            self._pending[request_id] = replace(pending, signed_in=True)
        boxes = "".join(
            f"<li><label><input type='checkbox' name='scope' value='{html.escape(s)}' checked> {html.escape(s)}"
            "</label></li>"
            for s in pending.scopes
        )
        client = html.escape(pending.client_id)
        return _page(
            "Share your health record?",
            f"<p>The app <b id='client'>{client}</b> asks to read the record of "
            f"<b id='patient'>{html.escape(self._patient_name)}</b>.</p>"
            f"<form method='post' action='/oauth/oauth2/consent'>"
            f"<input type='hidden' name='request_id' value='{html.escape(request_id)}'>"
            f"<ul id='scopes'>{boxes}</ul>"
            "<button type='submit' name='decision' value='allow' id='allow'>Allow</button>"
            "<button type='submit' name='decision' value='deny' id='deny'>Deny</button></form>",
        )

    async def consent(self, request: Request) -> Response:
        form = await request.form()
        with self._lock:
            pending = self._pending.pop(str(form.get("request_id", "")), None)
        if pending is None or not pending.signed_in:
            return _page("Request expired", "<p id='error'>Start again from the app.</p>", 400)
        if form.get("decision") != "allow":
            query = urlencode(
                {"error": "access_denied", "error_description": "the patient denied access", "state": pending.state}
            )
            return RedirectResponse(f"{pending.redirect_uri}?{query}", status_code=302)
        chosen = [str(s) for s in form.getlist("scope") if str(s) in pending.scopes]
        grant = Grant(
            client_id=pending.client_id,
            scope=" ".join(chosen),
            patient_id=self._patient_id,
            fhir_user=f"{self._fhir_base(request)}/Patient/{self._patient_id}",
        )
        code = self._ledger.issue_code(grant, pending.redirect_uri, pending.code_challenge)
        return RedirectResponse(f"{pending.redirect_uri}?{urlencode({'code': code, 'state': pending.state})}", 302)
