"""The SMART server's HTTP endpoints next to the facade: ``POST /oauth/token``, ``POST /oauth/revoke``
(RFC 7009) and ``GET /oauth/jwks``. Answers are never cached; errors are RFC 6749 §5.2 bodies."""

from __future__ import annotations

from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.facade.smart import JWKS_PATH, REVOKE_PATH, TOKEN_PATH
from gateway.smart_server.authorization import SmartAuthorizationServer
from gateway.smart_server.errors import OAuthError

__all__ = ["oauth_routes"]

MAX_FORM_BYTES = 4096
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_routes(server: SmartAuthorizationServer) -> list[Route]:
    async def token(request: Request) -> Response:
        try:
            form = await _form(request)
            body = server.token(form, request.headers.get("authorization", ""), issuer=_fhir_base(request))
        except OAuthError as exc:
            return _error(exc)
        return JSONResponse(body, headers=_NO_STORE)

    async def revoke(request: Request) -> Response:
        try:
            server.revoke(await _form(request), request.headers.get("authorization", ""))
        except OAuthError as exc:
            return _error(exc)
        return Response(status_code=200, headers=_NO_STORE)

    async def jwks(request: Request) -> Response:
        return JSONResponse(server.signer.jwks())

    return [
        Route(TOKEN_PATH, token, methods=["POST"]),
        Route(REVOKE_PATH, revoke, methods=["POST"]),
        Route(JWKS_PATH, jwks, methods=["GET"]),
    ]


def _fhir_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def _error(exc: OAuthError) -> Response:
    headers = dict(_NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="fhirgate"'
    return JSONResponse({"error": exc.error, "error_description": exc.description}, exc.status, headers=headers)


async def _form(request: Request) -> dict[str, str]:
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise OAuthError("invalid_request", "Send the parameters as application/x-www-form-urlencoded.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise OAuthError("invalid_request", "The request body is too large.")
    try:
        fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=16)
    except ValueError:
        raise OAuthError("invalid_request", "Too many parameters.") from None
    return {key: values[0] for key, values in fields.items()}
