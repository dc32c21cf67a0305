"""The PingFederate-like identity host: authorization endpoint, credential form, SMS one-time code.

Flow (KAISER_API.md §1.2): the authorization endpoint opens an attempt under a random path segment;
right credentials either go straight to ``/pa/oidc/cb`` (device trusted via ``PF.PERSISTENT``) or to
an MFA page after a code is texted; three wrong codes kill the attempt.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from sandbox.portal import pages
from sandbox.portal.cookies import DEVICE_TRUST_COOKIE, set_device_trust, set_ping_session
from sandbox.portal.signals import CLIENT_ID, origin
from sandbox.portal.signin_ledger import AttemptStage, LoginAttempt, MfaOutcome
from sandbox.portal.state import PortalState

__all__ = ["identity_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

BAD_CREDENTIALS = "The user ID and password you entered were not recognised. Please try again."
BAD_CODE = "That code didn't match. Check the latest text message and try again."
LOCKED_OUT = "Too many incorrect codes. For your security, please sign in again."
STALE_ATTEMPT = "Your sign-in session has expired. Please sign in again."


async def _form(request: Request) -> dict[str, str]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return {name: values[0] for name, values in parse_qs(body, keep_blank_values=True).items()}


def _credentials_action(attempt: LoginAttempt) -> str:
    return f"/as/{attempt.segment}/resume/as/authorization.ping"


def _mfa_action(attempt: LoginAttempt) -> str:
    return f"/as/{attempt.segment}/resume/as/mfa"


def _dead(message: str) -> HTMLResponse:
    # The real status of Ping's error pages was not captured; a 200 HTML page is what a browser shows.
    return HTMLResponse(pages.sign_in_dead_page(message))


class _IdentityHost:
    """The identity-host endpoints, one method each, over what they share: the portal state (its sign-in
    ledger and SMS outbox) and the one patient who can sign in."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.patient = state.config.patient

    def routes(self) -> list[Route]:
        return [
            Route("/as/authorization.oauth2", self.authorize, methods=["GET"]),
            Route("/as/{segment}/resume/as/authorization.ping", self.credentials, methods=["POST"]),
            Route("/as/{segment}/resume/as/mfa", self.mfa, methods=["POST"]),
        ]

    def to_callback(self, request: Request, attempt: LoginAttempt, username: str) -> RedirectResponse:
        code = self.state.ledger.grant(attempt, username)
        query = urlencode({"code": code, "state": attempt.state})
        response = RedirectResponse(f"{origin(request)}/pa/oidc/cb?{query}", status_code=302)
        set_ping_session(response)
        return response

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        valid = (
            params.get("response_type") == "code"
            and params.get("client_id") == CLIENT_ID
            and params.get("redirect_uri") == f"{origin(request)}/pa/oidc/cb"
            and bool(params.get("state"))
        )
        if not valid:
            logger.info("authorization request rejected")
            return HTMLResponse(pages.sign_in_dead_page("Invalid sign-in request."), status_code=400)
        attempt = self.state.ledger.start_attempt(params["state"])
        return HTMLResponse(pages.sign_in_page(_credentials_action(attempt)))

    def recognised(self, username: str, password: str) -> bool:
        """Whether the form's user ID (any case) and password are the patient's, compared in constant time."""
        patient = self.patient
        return secrets.compare_digest(username.lower().encode(), patient.username.encode()) and (
            secrets.compare_digest(password.encode(), patient.password.encode())
        )

    async def credentials(self, request: Request) -> Response:
        patient = self.patient
        attempt = self.state.ledger.attempt(request.path_params["segment"])
        if attempt is None or attempt.stage is not AttemptStage.CREDENTIALS:
            return _dead(STALE_ATTEMPT)
        form = await _form(request)
        username = form.get("pf.username", "").strip()
        if not self.recognised(username, form.get("pf.pass", "")):
            logger.info("sign-in rejected: credentials not recognised")
            action = _credentials_action(attempt)
            return HTMLResponse(pages.sign_in_page(action, error=BAD_CREDENTIALS, username=username))
        if self.state.ledger.device_trusted(request.cookies.get(DEVICE_TRUST_COOKIE), patient.username):
            logger.info("sign-in accepted user=%s mfa=skipped_trusted_device", patient.username)
            return self.to_callback(request, attempt, patient.username)
        code = self.state.ledger.start_mfa(attempt, patient.username)
        self.state.config.sms_outbox.send(patient.phone_last4, f"Your Kaiser Permanente sign-in code is {code}")
        logger.info("sign-in needs mfa user=%s", patient.username)
        return HTMLResponse(pages.mfa_page(_mfa_action(attempt), patient.phone_last4))

    async def mfa(self, request: Request) -> Response:
        attempt = self.state.ledger.attempt(request.path_params["segment"])
        if attempt is None or attempt.stage is AttemptStage.DEAD:
            return _dead(LOCKED_OUT if attempt is not None else STALE_ATTEMPT)
        if attempt.stage is not AttemptStage.MFA or attempt.username is None:
            return _dead(STALE_ATTEMPT)
        form = await _form(request)
        outcome = self.state.ledger.check_mfa(attempt, form.get("otp", ""))
        if outcome is MfaOutcome.LOCKED:
            return _dead(LOCKED_OUT)
        if outcome is MfaOutcome.WRONG:
            return HTMLResponse(pages.mfa_page(_mfa_action(attempt), self.patient.phone_last4, error=BAD_CODE))
        logger.info("sign-in accepted user=%s mfa=passed", attempt.username)
        response = self.to_callback(request, attempt, attempt.username)
        set_device_trust(response, self.state.ledger.trust_device(attempt.username))
        return response


def identity_routes(state: PortalState) -> list[Route]:
    return _IdentityHost(state).routes()
