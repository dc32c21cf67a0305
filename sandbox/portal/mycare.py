"""``GET /mycare/v1.0/user``: the profile behind the pharmacy app's header contract (§1.7, §2.1).

The API gateway checks the per-app headers first and answers 502 without them (not an expiry);
then a dead session gets the usual redirect to the identity host. ``phoneInfos`` comes back in a
different order on successive calls, as observed.
"""

from __future__ import annotations

import copy
import itertools
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.projection import project
from sandbox.portal.signals import current_session, identity_redirect
from sandbox.portal.state import PortalState

__all__ = ["mycare_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")


def _contract_broken(request: Request, api_key: str) -> str | None:
    headers = request.headers
    if headers.get("X-apiKey") != api_key:
        return "X-apiKey"
    if headers.get("X-appName") != "rx-order-management":
        return "X-appName"
    if not headers.get("X-componentName", "").strip():
        return "X-componentName"
    if headers.get("X-sessionToken") != "true":
        return "X-sessionToken"
    return None


def _bad_gateway() -> JSONResponse:
    # Inferred body: only the 502 status was captured.
    return JSONResponse({"httpCode": "502", "httpMessage": "Bad Gateway"}, status_code=502)


def _rotate_phones(document: dict[str, Any], turn: int) -> dict[str, Any]:
    shuffled = copy.deepcopy(document)
    contact = shuffled["UserAccountData"]["ebizAccountsWithPersonInfos"]["contactInfo"]
    phones = contact["phoneInfos"]
    if phones:
        shift = turn % len(phones)
        contact["phoneInfos"] = phones[shift:] + phones[:shift]
    return shuffled


def mycare_routes(state: PortalState) -> list[Route]:
    calls = itertools.count()

    async def user(request: Request) -> Response:
        broken = _contract_broken(request, state.config.api_key)
        if broken is not None:
            logger.info("mycare header contract broken header=%s -> 502", broken)
            return _bad_gateway()
        if current_session(state, request) is None:
            return identity_redirect(state, request)
        document = _rotate_phones(state.config.patient.profile, next(calls))
        return JSONResponse(project(document, request.headers.get("X-inclusionJsonPath")))

    return [Route("/mycare/v1.0/user", user, methods=["GET"])]
