"""``SmartAuthorizationServer``: the standalone launch (authorization code + PKCE S256) from the
authorize request, through the person's consent in the web app, to tokens, refresh and revocation.

Pending authorize requests live in memory for ``REQUEST_TTL`` (the web app and the facade are one
process); codes and tokens live in the home's SQLite file, as digests.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlencode

from gateway.smart_server.errors import OAuthError
from gateway.smart_server.registry import AppRegistry, RegisteredApp
from gateway.smart_server.scopes import ScopeGrant, grant_for
from gateway.smart_server.signing import IdTokenSigner
from gateway.smart_server.tokens import ACCESS_TTL, IssuedTokens, TokenStore

__all__ = ["AuthorizationRequest", "SmartAuthorizationServer"]

REQUEST_TTL_SECONDS = 600
MAX_PENDING = 64
_S256_CHALLENGE_LENGTH = 43


@dataclass(frozen=True)
class AuthorizationRequest:
    id: str
    app: RegisteredApp
    redirect_uri: str
    state: str
    grant: ScopeGrant
    challenge: str
    expires_at: float


class SmartAuthorizationServer:
    def __init__(
        self,
        registry: AppRegistry,
        tokens: TokenStore,
        signer: IdTokenSigner,
        *,
        patient_id: Callable[[], str | None],
    ) -> None:
        self.registry = registry
        self.tokens = tokens
        self.signer = signer
        self._patient_id = patient_id
        self._pending: dict[str, AuthorizationRequest] = {}

    # -- authorize (the web app's consent page) ---------------------------------------------------

    def start(self, params: Mapping[str, str], fhir_base: str) -> AuthorizationRequest:
        """Check an authorize request; raises ``OAuthError`` (shown on the page, never redirected:
        an unknown client or redirect URI must not become an open redirect)."""
        app = self.registry.by_client_id(params.get("client_id", ""))
        if app is None:
            raise OAuthError("invalid_client", "This app is not registered: run `fhirgate apps add`.")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in app.redirect_uris:
            raise OAuthError("invalid_request", "The redirect URI is not one registered for this app.")
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "Only response_type=code is supported.")
        challenge = params.get("code_challenge", "")
        if params.get("code_challenge_method") != "S256" or len(challenge) != _S256_CHALLENGE_LENGTH:
            raise OAuthError("invalid_request", "PKCE with code_challenge_method=S256 is required.")
        if params.get("aud", "").rstrip("/") != fhir_base:
            raise OAuthError("invalid_request", f"aud must be this server's FHIR base URL, {fhir_base}.")
        grant = grant_for(params.get("scope", ""))
        now = time.time()
        self._pending = {k: v for k, v in self._pending.items() if v.expires_at > now}
        if len(self._pending) >= MAX_PENDING:
            raise OAuthError("temporarily_unavailable", "Too many launches waiting for consent; try again later.")
        request = AuthorizationRequest(
            secrets.token_urlsafe(16),
            app,
            redirect_uri,
            params.get("state", "")[:512],
            grant,
            challenge,
            now + REQUEST_TTL_SECONDS,
        )
        self._pending[request.id] = request
        return request

    def pending(self, request_id: str) -> AuthorizationRequest | None:
        request = self._pending.get(request_id[:64])
        return request if request is not None and request.expires_at > time.time() else None

    def decide(self, request_id: str, *, approve: bool) -> str | None:
        """The URL to send the browser back to the app with (a code, or ``access_denied``); the request is
        spent. None if there is no such pending request."""
        request = self._pending.pop(request_id[:64], None)
        if request is None or request.expires_at <= time.time():
            return None
        if approve:
            code = self.tokens.issue_code(
                request.app.client_id, request.redirect_uri, request.grant.text, request.challenge
            )
            answer = {"code": code, "state": request.state}
        else:
            answer = {"error": "access_denied", "state": request.state}
        separator = "&" if "?" in request.redirect_uri else "?"
        return f"{request.redirect_uri}{separator}{urlencode(answer)}"

    # -- token and revocation endpoints -----------------------------------------------------------

    def token(self, form: Mapping[str, str], authorization: str, *, issuer: str) -> dict[str, Any]:
        grant_type = form.get("grant_type")
        client_id = self._authenticate(form, authorization, token=form.get("refresh_token", ""))
        if grant_type == "authorization_code":
            grant = self.tokens.redeem_code(
                form.get("code", ""), client_id, form.get("redirect_uri", ""), form.get("code_verifier", "")
            )
            if grant is None:
                raise OAuthError("invalid_grant", "The code is not valid (used, expired, or PKCE mismatch).")
            issued = self.tokens.issue(grant, with_refresh=grant_for(grant.scope).has("offline_access"))
        elif grant_type == "refresh_token":
            rotated = self.tokens.rotate(form.get("refresh_token", ""), client_id)
            if rotated is None:
                raise OAuthError("invalid_grant", "The refresh token is not valid.")
            issued = rotated
        else:
            raise OAuthError("unsupported_grant_type", "Use authorization_code or refresh_token.")
        return self._token_response(issued, issuer)

    def revoke(self, form: Mapping[str, str], authorization: str) -> None:
        client_id = self._authenticate(form, authorization, token=form.get("token", ""))
        self.tokens.revoke(form.get("token", ""), client_id)

    def scope_grant(self, access_token: str) -> ScopeGrant | None:
        """The scopes of a valid SMART access token; None for any other token."""
        grant = self.tokens.access(access_token)
        return None if grant is None else grant_for(grant.scope)

    def _token_response(self, issued: IssuedTokens, issuer: str) -> dict[str, Any]:
        scopes = grant_for(issued.grant.scope)
        patient = self._patient_id()
        body: dict[str, Any] = {
            "access_token": issued.access_token,
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TTL.total_seconds()),
            "scope": scopes.text,
        }
        if issued.refresh_token is not None:
            body["refresh_token"] = issued.refresh_token
        if scopes.has("launch/patient") and patient is not None:
            body["patient"] = patient
        if scopes.has("openid") and scopes.has("fhirUser") and patient is not None:
            body["id_token"] = self.signer.id_token(
                issuer=issuer,
                client_id=issued.grant.client_id,
                subject=patient,
                fhir_user=f"{issuer}/Patient/{patient}",
            )
        return body

    def _authenticate(self, form: Mapping[str, str], authorization: str, *, token: str = "") -> str:
        """The client id: HTTP Basic for confidential clients (client_secret_basic), ``client_id`` in the
        form for public ones; a public client refreshing or revoking may leave it out (RFC 6749 §6 asks
        only confidential clients to identify themselves there): then the token's own client is meant."""
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip()[:512], validate=True).decode()
                client_id, secret = (unquote_plus(part) for part in decoded.partition(":")[::2])  # RFC 6749 §2.3.1
            except ValueError:
                raise OAuthError("invalid_client", "Malformed Basic credentials.", 401) from None
            if not self.registry.secret_ok(client_id, secret):
                raise OAuthError("invalid_client", "Client authentication failed.", 401)
            return client_id
        named = form.get("client_id") or (self.tokens.owner(token) if token else None) or ""
        app = self.registry.by_client_id(named)
        if app is None:
            raise OAuthError("invalid_client", "Unknown client.", 401)
        if app.confidential:
            raise OAuthError("invalid_client", "This app is confidential: authenticate with client_secret_basic.", 401)
        return app.client_id
