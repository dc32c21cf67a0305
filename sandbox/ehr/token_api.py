"""The sandbox EHR's token and revocation endpoints (RFC 6749 §3.2, RFC 7009).

`authorization_code` needs the PKCE verifier; `refresh_token` rotates (new refresh token, old one
dead). Responses carry `patient` (unless the `omit_patient` fault is on), `scope`, and for `openid`
an id_token with the `fhirUser` claim, signed by the sandbox's own key. In the `ecw` profile a
public client gets no refresh token, and a code whose scopes eCW does not list is refused
(`invalid_grant`, 400).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.ehr.client_auth import ClientAuthenticator
from sandbox.ehr.config import EhrConfig
from sandbox.ehr.ecw_profile import unlisted_scopes
from sandbox.ehr.grants import Grant, GrantError, GrantLedger

__all__ = ["TokenEndpoints"]

logger = logging.getLogger(__name__)
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(error: GrantError) -> JSONResponse:
    status = 401 if error.error == "invalid_client" else 400
    logger.info("sandbox ehr token error=%s", error.error)
    return JSONResponse(
        {"error": error.error, "error_description": error.description}, status_code=status, headers=_NO_STORE
    )


class TokenEndpoints:
    def __init__(self, config: EhrConfig, ledger: GrantLedger, clock: Callable[[], float]) -> None:
        self._config = config
        self._ledger = ledger
        self._clock = clock
        # Client assertions are signed with the caller's wall clock, whatever clock tokens live by.
        self._authenticator = ClientAuthenticator(config, time.time)

    @functools.cached_property
    def _signing_key(self) -> RSAKey:
        # Made on first use: key generation is the slowest part of starting the sandbox.
        return RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, private=True)

    async def token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        token_url = str(request.url.replace(query=""))
        try:
            client = self._authenticator.authenticate(form, request.headers.get("authorization"), token_url)
            grant = self._grant(form, client.client_id)
        except GrantError as error:
            return _error(error)
        body = self._token_response(grant, str(request.base_url).rstrip("/"))
        if self._config.profile == "ecw" and client.auth == "public":
            body.pop("refresh_token", None)  # healow issues refresh tokens to confidential clients only
        return JSONResponse(body, headers=_NO_STORE)

    def _grant(self, form: dict[str, str], client_id: str) -> Grant:
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            grant = self._ledger.redeem_code(
                form.get("code", ""), client_id, form.get("redirect_uri", ""), form.get("code_verifier", "")
            )
            if self._config.profile == "ecw" and (unlisted := unlisted_scopes(grant.scope.split())):
                raise GrantError("invalid_grant", f"scope not supported: {' '.join(unlisted)[:200]}")
            return grant
        if grant_type == "refresh_token":
            faults = self._config.faults
            if faults.refresh_expired:
                raise GrantError("invalid_grant", "refresh token has expired")
            if faults.refresh_revoked:
                raise GrantError("invalid_grant", "refresh token was revoked")
            if faults.refresh_reused:
                raise GrantError("invalid_grant", "refresh token was already used")
            return self._ledger.use_refresh_token(form.get("refresh_token", ""), client_id)
        raise GrantError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _token_response(self, grant: Grant, issuer: str) -> dict[str, object]:
        access, refresh = self._ledger.issue_tokens(
            grant, self._config.access_token_ttl, self._config.refresh_token_ttl
        )
        body: dict[str, object] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self._config.access_token_ttl,
            "scope": grant.scope,
            "refresh_token": refresh,
        }
        if not self._config.faults.omit_patient:
            body["patient"] = grant.patient_id
        if "openid" in grant.scope.split():
            now = int(self._clock())
            claims = {
                "iss": issuer,
                "sub": grant.patient_id,
                "aud": grant.client_id,
                "iat": now,
                "exp": now + 300,
                "fhirUser": grant.fhir_user,
            }
            body["id_token"] = jwt.encode({"alg": "RS256"}, claims, self._signing_key)
        return body

    async def revoke(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        token_url = str(request.url.replace(query=""))
        try:
            self._authenticator.authenticate(form, request.headers.get("authorization"), token_url)
        except GrantError as error:
            return _error(error)
        self._ledger.revoke(form.get("token", ""))
        return Response(status_code=200)
