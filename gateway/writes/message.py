"""The secure-message send chain of KAISER_API.md §3.2: a read-only preview, then the compose chain.

The lessons of §3.3 are built in: GetComposeId answers a bare JSON string, the viewers' own
``wprId`` is required, the recipient carries exactly five keys, and HTTP 200 can carry ``{"error": N}``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.kaiser.portal_client import PortalClient
from gateway.writes.errors import WriteChainError
from gateway.writes.hidden_text import MAX_MESSAGE_CHARACTERS, MAX_SUBJECT_CHARACTERS, hidden_content

SURFACE = "send-message"
PAGE = "app/communication-center"
_RECIPIENT_KEYS = ("displayName", "userId", "poolId", "providerId", "departmentId")


@dataclass
class MessageDraft:
    recipient: str
    topic: str
    subject: str
    text: str


@dataclass
class MessagePreview:
    content: dict[str, Any]
    recipient: dict[str, Any] | None
    topic: dict[str, str] | None
    warnings: list[str] = field(default_factory=list)

    @property
    def can_confirm(self) -> bool:
        return not self.warnings


@dataclass(frozen=True)
class MessageResult:
    conversation_id: str
    succeeded: bool


class MessageChain:
    def __init__(self, client: PortalClient) -> None:
        self.client = client

    async def options(self) -> tuple[list[dict[str, Any]], list[Any]]:
        """The portal's own recipient rows and topic rows (read-only: what the compose page lists)."""
        csrf = await self.client.csrf_token(PAGE)
        recipients = _rows(
            await self._post("medicaladvicerequests/GetMedicalAdviceRequestRecipients", {"organizationId": ""}, csrf)
        )
        topics = await self._post("medicaladvicerequests/GetSubtopics", {"organizationId": ""}, csrf)
        return recipients, (topics or {}).get("topicList") or [] if isinstance(topics, dict) else []

    async def preview(self, draft: MessageDraft) -> MessagePreview:
        recipients, topics = await self.options()
        recipient = _match_recipient(recipients, draft.recipient)
        topic = _match_topic(topics, draft.topic)
        warnings = []
        if recipient is None:
            names = ", ".join(str(r.get("displayName")) for r in recipients[:12])
            warnings.append(f"unknown recipient {draft.recipient!r}; choose one of: {names}")
        if topic is None:
            warnings.append(f"unknown topic {draft.topic!r}")
        if not draft.subject.strip():
            warnings.append("the subject is empty")
        if not draft.text.strip():
            warnings.append("the message is empty")
        if len(draft.subject) > MAX_SUBJECT_CHARACTERS:
            warnings.append(f"the subject is longer than {MAX_SUBJECT_CHARACTERS} characters")
        if len(draft.text) > MAX_MESSAGE_CHARACTERS:
            warnings.append(f"the message is longer than {MAX_MESSAGE_CHARACTERS} characters")
        warnings += hidden_content("subject", draft.subject) + hidden_content("message", draft.text)
        content = {
            "recipient": (recipient or {}).get("displayName", draft.recipient),
            "recipient_id": (recipient or {}).get("userId"),
            "topic": (topic or {}).get("displayName", draft.topic),
            "topic_value": (topic or {}).get("value"),
            "subject": draft.subject,
            "text": draft.text,
        }
        return MessagePreview(content=content, recipient=recipient, topic=topic, warnings=warnings)

    async def commit(self, draft: MessageDraft) -> tuple[MessagePreview, MessageResult | None]:
        preview = await self.preview(draft)
        if not preview.can_confirm:
            return preview, None
        return preview, await self.send(preview, draft)

    async def send(self, preview: MessagePreview, draft: MessageDraft) -> MessageResult:
        """The committing chain; only after the caller checked ``preview.can_confirm``."""
        if not preview.can_confirm or preview.recipient is None or preview.topic is None:
            raise WriteChainError("preview", "not committable: " + "; ".join(preview.warnings))
        csrf = await self.client.csrf_token(PAGE)
        compose_id = await self._post("conversations/GetComposeId", {}, csrf)
        if not isinstance(compose_id, str) or not compose_id:
            raise WriteChainError("GetComposeId", f"expected a bare JSON string, got type {type(compose_id).__name__}")
        try:
            viewers = await self._post("medicaladvicerequests/GetViewers", {"organizationId": ""}, csrf)
            own = next((v for v in (viewers or {}).get("viewers") or [] if v.get("isSelf")), None)
            if not own or not own.get("wprId"):
                raise WriteChainError("GetViewers", "no viewer with isSelf and a wprId")
            body = {
                "recipient": {key: preview.recipient.get(key, "") for key in _RECIPIENT_KEYS},
                "topic": {"title": preview.topic.get("displayName"), "value": preview.topic.get("value")},
                "conversationId": "",
                "organizationId": "",
                "viewers": [{"wprId": own["wprId"]}],
                "messageBody": draft.text.split("\n"),
                "messageSubject": draft.subject,
                "documentIds": [],
                "includeOtherViewers": False,
                "composeId": compose_id,
            }
            saved = await self._post("medicaladvicerequests/SaveMedicalAdviceRequestDraft", body, csrf)
            _check_error("SaveMedicalAdviceRequestDraft", saved, sent=False)
            conversation = str(saved.get("conversationId", ""))
            sent = await self._post(
                "medicaladvicerequests/SendMedicalAdviceRequest",
                body | {"conversationId": conversation},
                csrf,
                sent=True,
            )
            _check_error("SendMedicalAdviceRequest", sent, sent=True)
            return MessageResult(conversation_id=conversation, succeeded=True)
        finally:
            with contextlib.suppress(WriteChainError):  # best effort, as the portal's own client does
                await self._post("conversations/RemoveComposeId", {"composeId": compose_id}, csrf)

    async def _post(self, path: str, body: Mapping[str, Any], csrf: str, *, sent: bool = False) -> Any:
        try:
            return await self.client.mychart_post_json(
                f"api/{path}", body, surface=SURFACE, key=path.rsplit("/", 1)[-1], referer_path=PAGE, csrf=csrf
            )
        except WriteChainError:
            raise
        except Exception as exc:
            raise WriteChainError(path.rsplit("/", 1)[-1], str(exc), sent=sent) from None


def _rows(payload: Any) -> list[dict[str, Any]]:
    # The envelope key is unconfirmed (§2.4.5): accept a bare list or the first list inside an object.
    if isinstance(payload, list):
        return [r for r in payload if isinstance(r, dict)]
    if isinstance(payload, dict):
        for value in payload.values():
            if isinstance(value, list) and all(isinstance(r, dict) for r in value):
                return list(value)
    return []


def _match_recipient(rows: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    needle = wanted.strip().casefold()
    for row in rows:
        if needle in (str(row.get("userId", "")).casefold(), str(row.get("providerId", "")).casefold()):
            return row
    for row in rows:
        if str(row.get("displayName", "")).strip().casefold() == needle:
            return row
    return None


def _match_topic(rows: list[Any], wanted: str) -> dict[str, str] | None:
    needle = wanted.strip().casefold()
    for row in rows:
        if isinstance(row, dict) and needle in (
            str(row.get("value")).casefold(),
            str(row.get("displayName")).casefold(),
        ):
            return {"value": str(row.get("value")), "displayName": str(row.get("displayName"))}
    return None


def _check_error(step: str, response: Any, *, sent: bool) -> None:
    if not isinstance(response, dict):
        raise WriteChainError(step, f"unexpected response type {type(response).__name__}", sent=sent)
    code = response.get("error", 0)
    if code not in (0, "0", None):
        raise WriteChainError(step, f"the portal answered error {code}", sent=sent)
