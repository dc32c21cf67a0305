"""The secure-message compose catalogs and send chain (§2.4.5, §3.2), with the portal's quirks:
GetComposeId answers a bare JSON string; SaveDraft/Send answer HTTP 200 ``{"error": 2}`` when the
recipient is not exactly the five browser keys or the viewer's ``wprId`` is missing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.sandbox_ids import wp_id
from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard

__all__ = ["compose_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

_API = "/mychartcn/api"
_RECIPIENT_KEYS = {"displayName", "userId", "poolId", "providerId", "departmentId"}
_TOPICS = [
    {"value": "97", "displayName": "Test Results"},
    {"value": "98", "displayName": "Medication"},
    {"value": "99", "displayName": "Visit Follow-Up"},
    {"value": "100", "displayName": "Upcoming Appointment or Procedure"},
    {"value": "101", "displayName": "Non-Urgent Medical Advice"},
]
_CLINICIANS = ("ALEX SAMPLE MD", "JORDAN EXAMPLE DO", "CASEY PLACEHOLDER NP", "MORGAN INVENTED MD")

Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


def _recipients(seed: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in _CLINICIANS:
        rows.append(
            {
                "displayName": name,
                "userId": wp_id(seed, "usr", name),
                "providerId": wp_id(seed, "prv", name, length=82),
                "poolId": "",
                "departmentId": "",
                # the catalog's extra keys, which the browser drops before SaveDraft (§3.2)
                "photoUrl": "",
                "specialty": "Family Practice",
                "isPcp": name == _CLINICIANS[0],
                "canReceive": True,
                "organizationId": "",
                "sortOrder": len(rows),
                "displayTitle": name.title(),
            }
        )
    return rows


class _Compose:
    """The compose endpoints, one method each, over what they share: the portal state, the write ledger, the
    recipient catalog and the viewer's own ``wprId``."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.seed = state.config.patient.username
        self.ledger = state.config.writes
        self.recipients = _recipients(self.seed)
        self.self_wpr = wp_id(self.seed, "wpr")
        self.user_ids = {row["userId"] for row in self.recipients}

    def routes(self) -> list[Route]:
        advice, conversations = f"{_API}/medicaladvicerequests", f"{_API}/conversations"
        return [
            Route(f"{advice}/GetMedicalAdviceRequestRecipients", self.guarded(self.recipients_list), methods=["POST"]),
            Route(f"{advice}/GetSubtopics", self.guarded(self.subtopics), methods=["POST"]),
            Route(f"{advice}/GetViewers", self.guarded(self.viewers), methods=["POST"]),
            Route(f"{conversations}/GetComposeId", self.guarded(self.compose_id), methods=["POST"]),
            Route(f"{advice}/SaveMedicalAdviceRequestDraft", self.guarded(self.save_draft), methods=["POST"]),
            Route(f"{advice}/SendMedicalAdviceRequest", self.guarded(self.send), methods=["POST"]),
            Route(f"{conversations}/RemoveComposeId", self.guarded(self.remove_compose_id), methods=["POST"]),
        ]

    def guarded(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` behind the session and anti-forgery checks, given the JSON body as an object."""

        async def endpoint(request: Request) -> Response:
            body = await self.checked_body(request)
            return body if isinstance(body, Response) else await handler(request, body)

        return endpoint

    async def checked_body(self, request: Request) -> dict[str, Any] | Response:
        """The JSON body (``{}`` when empty or not an object), or the redirect a broken contract gets."""
        checked = guard(self.state, request)
        if isinstance(checked, Response):
            return checked
        try:
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            return five_hundred(request, "unreadable_body")
        return body if isinstance(body, dict) else {}

    def failing(self, step: str) -> bool:
        return self.state.config.write_fails(step)

    async def recipients_list(self, request: Request, body: dict[str, Any]) -> Response:
        return JSONResponse(self.recipients)  # inferred: a bare array (the envelope key was never confirmed)

    async def subtopics(self, request: Request, body: dict[str, Any]) -> Response:
        return JSONResponse({"topicList": _TOPICS, "organizationId": ""})

    async def viewers(self, request: Request, body: dict[str, Any]) -> Response:
        name = self.state.config.patient.profile["UserAccountData"]["ebizAccountsWithPersonInfos"]["nameDetails"]
        row = {
            "wprId": self.self_wpr,
            "name": f"{name['firstName']} {name['surname']}".upper(),
            "photoBlobFileName": wp_id(self.seed, "photo", length=36),
            "isSelf": True,
            "isShown": False,
            "isSelected": False,
            "organizationId": "",
        }
        return JSONResponse({"viewers": [row], "showOtherViewersOption": False, "isOtherViewersSelected": False})

    async def compose_id(self, request: Request, body: dict[str, Any]) -> Response:
        new_id = wp_id(self.seed, "compose", str(len(self.ledger.compose_ids)), length=128)
        self.ledger.compose_ids.add(new_id)
        return JSONResponse(new_id)  # a bare JSON string, not an object

    def draft_error(self, body: dict[str, Any]) -> int:
        recipient = body.get("recipient")
        if not isinstance(recipient, dict) or set(recipient) != _RECIPIENT_KEYS:
            return 2
        if not isinstance(recipient.get("userId"), str) or recipient["userId"] not in self.user_ids:
            return 2
        viewers_sent = body.get("viewers") or [{}]
        if not isinstance(viewers_sent, list) or not isinstance(viewers_sent[0], dict):
            return 2
        if viewers_sent[0].get("wprId") != self.self_wpr:
            return 2
        compose_id = body.get("composeId")
        if not isinstance(compose_id, str) or compose_id not in self.ledger.compose_ids:
            return 2
        if not isinstance(body.get("messageBody"), list):
            return 2
        return 0

    async def save_draft(self, request: Request, body: dict[str, Any]) -> Response:
        error = 2 if self.failing("SaveMedicalAdviceRequestDraft") else self.draft_error(body)
        if error:
            return JSONResponse({"error": error})  # HTTP 200 on failure, as the portal does
        conversation = wp_id(self.seed, "conv", str(len(self.ledger.drafts)))
        self.ledger.drafts[conversation] = body
        return JSONResponse({"conversationId": conversation, "error": 0})

    async def send(self, request: Request, body: dict[str, Any]) -> Response:
        ledger = self.ledger
        conversation = str(body.get("conversationId", ""))
        if self.failing("SendMedicalAdviceRequest") or conversation not in ledger.drafts or self.draft_error(body):
            return JSONResponse({"error": 2})
        ledger.record(ledger.sent_messages, body)
        del ledger.drafts[conversation]
        logger.info("sandbox message sent lines=%d", len(body.get("messageBody") or []))
        return JSONResponse({"success": True, "error": 0, "conversationId": conversation})  # inferred ack

    async def remove_compose_id(self, request: Request, body: dict[str, Any]) -> Response:
        self.ledger.compose_ids.discard(str(body.get("composeId", "")))
        return JSONResponse({"success": True})  # inferred ack


def compose_routes(state: PortalState) -> list[Route]:
    return _Compose(state).routes()
