"""Secure messages (``api/conversations/*``) -> one Communication per message, Binary per downloaded attachment.

A thread (``hthId``) has no FHIR resource of its own: its messages share a second identifier under the
``thread`` system, and each message after the first points at its predecessor with ``inResponseTo``.
The HTML body is sanitized (nh3) and kept twice: plain text in ``payload.contentString`` and sanitized
``text/html`` as an inline attachment. File attachments become ``contentAttachment`` entries whose
``url`` is the facade's ``Binary/<id>`` route; the Binary itself is emitted only when its bytes were fetched.
A thread tagged ``System`` (an automated portal message) marks each of its messages with the ``system-message``
extension.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from translators.dates import DateParseError, fhir_instant
from translators.errors import InvalidResourceError
from translators.extensions import SYSTEM_MESSAGE
from translators.html_content import attachment, plain_text
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "messages"
UNREAD = "urn:fhirgate:kaiser:extension:unread"
"""Communication: ``isUnread`` - the patient has not opened the message in the portal."""

CONTENT_TYPES = {
    "PDF": "application/pdf",
    "JPG": "image/jpeg",
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "TXT": "text/plain",
    "RTF": "application/rtf",
    "DOC": "application/msword",
    "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
"""Attachment ``fileExtension`` (upper-cased) -> MIME type; others get no ``contentType``."""


@dataclass(frozen=True)
class DownloadedDocument:
    """An attachment's bytes as fetched by the two-step download (§2.4.4)."""

    content: bytes
    content_type: str | None = None
    title: str | None = None


def binary_id(dcs_id: str) -> str:
    """The logical id of the Binary holding the attachment with download handle ``dcs_id``."""
    return stable_id(SURFACE, f"binary:{dcs_id}")


def translate_conversation(
    thread: Mapping[str, Any],
    ctx: TranslationContext,
    *,
    users: Mapping[str, Any] | None = None,
    viewers: Mapping[str, Any] | None = None,
    downloads: Mapping[str, DownloadedDocument] | None = None,
) -> TranslationResult:
    """Communications (oldest first) for one thread, then a Binary per downloaded attachment."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    conversation = root(thread, log)
    thread_id = conversation.get("hthId").key_text()
    if thread_id is None:
        log.warn("hthId", "thread has no hthId; skipped")
        return result
    log.key = stable_id(SURFACE, f"thread:{thread_id}")  # the WP- id itself is sensitive (§4.4)
    parties = _Parties(conversation, root(users, log), root(viewers, log), ctx)
    dated: list[tuple[str, int, PortalNode]] = []
    for index, message in enumerate(conversation.get("messages").items()):
        sent = None
        try:
            sent = fhir_instant(message.get("deliveryInstantISO").value)
        except DateParseError as error:
            log.warn(f"{message.path}.deliveryInstantISO", f"{error}; sent omitted")
        dated.append((sent or "", -index, message))  # the portal lists newest first
    previous: str | None = None
    binaries: dict[str, FhirJson] = {}
    for sent, _, message in sorted(dated, key=lambda item: (item[0], item[1])):
        message_id = message.get("wmgId").key_text()
        if message_id is None:
            log.warn(message.path, "message has no wmgId; skipped")
            continue
        communication = _communication(message, message_id, sent, thread_id, previous, parties, ctx, log)
        communication["payload"] += _attachments(message, downloads or {}, binaries, log)
        try:
            result.resources.append(validated(pruned(communication)))
        except InvalidResourceError as error:
            log.warn(message.path, f"message skipped: {error}")
            continue
        previous = communication["id"]
    for binary in binaries.values():
        try:
            result.resources.append(validated(binary))
        except InvalidResourceError as error:  # pragma: no cover - built from bytes and a checked MIME type
            log.warn("attachments", f"Binary skipped: {error}")
    return result


class _Parties:
    """Who is who in one thread: staff (``users``) vs the patient and proxies (``viewers``)."""

    def __init__(
        self, conversation: PortalNode, users: PortalNode, viewers: PortalNode, ctx: TranslationContext
    ) -> None:
        self.subject = conversation.get("subject").text()
        self.overrides = conversation.get("userOverrideNames")
        self.users = users
        self.viewers = viewers
        self.ctx = ctx
        self.user_keys = [key for node in conversation.get("userKeys").items() if (key := node.key_text())]
        # tags.System: the portal itself wrote the thread (keys are present only when true).
        self.automated = conversation.get("tags").get("System").boolean() is True

    def name(self, key: str) -> str | None:
        return (
            self.overrides.get(key).text()
            or self.users.get(key).get("name").text()
            or (self.viewers.get(key).get("name").text())
        )

    def reference(self, key: str | None, display: str | None) -> dict[str, Any]:
        """A Patient reference for the patient themself, else a logical (identifier) reference."""
        if key is not None and self.viewers.get(key).get("isSelf").boolean() is True:
            return {**patient_reference(self.ctx.patient_id), "display": display or self.name(key)}
        if key is not None and (self.users.get(key).is_object() or key in self.user_keys):
            return {
                "type": "Practitioner",
                "identifier": {"system": identifier_system(self.ctx.region, "message-user"), "value": key},
                "display": display or self.name(key),
            }
        return {"display": display or (self.name(key) if key else None) or "unknown sender"}

    def staff(self) -> list[dict[str, Any]]:
        return [self.reference(key, None) for key in self.user_keys]


def _communication(
    message: PortalNode,
    message_id: str,
    sent: str,
    thread_id: str,
    previous: str | None,
    parties: _Parties,
    ctx: TranslationContext,
    log: WarningLog,
) -> FhirJson:
    author = message.get("author")
    author_key = author.get("empKey").key_text()
    if author_key is None and not author.get("displayName").text() and len(parties.user_keys) == 1:
        author_key = parties.user_keys[0]  # no author: the thread's one staff participant wrote it
    sender = parties.reference(author_key, author.get("displayName").text())
    from_patient = sender.get("reference") == f"Patient/{ctx.patient_id}"
    body = message.get("body").value
    payload: list[dict[str, Any]] = []
    if isinstance(body, str) and body.strip():
        text = plain_text(body)
        if text:
            payload.append({"contentString": text})
        payload.append({"contentAttachment": attachment(body, title="Message body")})
    elif body is not None and not isinstance(body, str):
        log.warn(f"{message.path}.body", f"expected HTML text, got {type(body).__name__}")
    unread = message.get("isUnread").boolean()
    return {
        "resourceType": "Communication",
        "id": stable_id(SURFACE, f"msg:{message_id}"),
        "meta": meta(SURFACE),
        "extension": [
            {"url": UNREAD, "valueBoolean": unread} if unread is not None else None,
            {"url": SYSTEM_MESSAGE, "valueBoolean": True} if parties.automated else None,
        ],
        "identifier": [
            {"system": identifier_system(ctx.region, "message"), "value": message_id},
            {"use": "secondary", "system": identifier_system(ctx.region, "thread"), "value": thread_id},
        ],
        "inResponseTo": [{"reference": f"Communication/{previous}"}] if previous else None,
        "status": "completed",
        "subject": patient_reference(ctx.patient_id),
        "topic": {"text": parties.subject},
        "sent": sent or None,
        "recipient": parties.staff() if from_patient else [patient_reference(ctx.patient_id)],
        "sender": sender,
        "payload": payload,
    }


def _attachments(
    message: PortalNode, downloads: Mapping[str, DownloadedDocument], binaries: dict[str, FhirJson], log: WarningLog
) -> list[dict[str, Any]]:
    payload: list[dict[str, Any]] = []
    for item in message.get("attachments").items():
        dcs_id = item.get("dcsId").key_text()
        if dcs_id is None:
            log.warn(item.path, "attachment has no dcsId; skipped")
            continue
        extension = (item.get("fileExtension").text() or "").upper()
        downloaded = downloads.get(dcs_id)
        content_type = (downloaded.content_type if downloaded else None) or CONTENT_TYPES.get(extension)
        title = item.get("name").text() or (downloaded.title if downloaded else None)
        payload.append(
            {"contentAttachment": {"contentType": content_type, "url": f"Binary/{binary_id(dcs_id)}", "title": title}}
        )
        if downloaded is not None and downloaded.content:
            binaries[dcs_id] = {
                "resourceType": "Binary",
                "id": binary_id(dcs_id),
                "meta": meta(SURFACE),
                "contentType": content_type or "application/octet-stream",
                "data": base64.b64encode(downloaded.content).decode("ascii"),
            }
    return payload
