"""Tools that read one item's free text: `read_message` (a Communication) and `get_binary` (a document's text).

The text comes from the record, so it is always fenced as untrusted, and bounded by `max_tokens`.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from fhir_client import FhirClientError
from mcp_server.answers.token_budget import BYTES_PER_TOKEN, DEFAULT_MAX_TOKENS
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.rows.fhir_text import concept_text, reference_text
from mcp_server.sources.registry import UnknownSourceError
from mcp_server.tools.binary_text import extract_text
from mcp_server.tools.context import MaxTokensArg, ToolContext
from mcp_server.untrusted.fencing import fence, fenced_quote
from mcp_server.untrusted.quoting import bounded_text, quote_input

__all__ = ["RecordTools"]

SourceName = str  # explained once, in the server's instructions
ResourceId = Annotated[str, Field(description="without the type prefix")]
DocumentId = Annotated[
    str,
    Field(description="a Binary id, or DocumentReference/<id> for its first attachment"),
]


def _bounded(text: str, max_tokens: int) -> tuple[str, str]:
    limit = max(max_tokens - 250, 100) * BYTES_PER_TOKEN
    data = text.encode()
    if len(data) <= limit:
        return text, ""
    kept = data[:limit].decode("utf-8", errors="ignore")
    return kept, f" Cut to the first {len(kept)} of {len(text)} characters (raise max_tokens for more)."


def _message_text(message: Mapping[str, Any]) -> tuple[str, list[str]]:
    texts: list[str] = []
    attachments: list[str] = []
    for payload in message.get("payload") or []:
        if not isinstance(payload, Mapping):
            continue
        if isinstance(text := payload.get("contentString"), str):
            texts.append(text)
        if isinstance(attachment := payload.get("contentAttachment"), Mapping):
            attachments.append(str(attachment.get("url") or attachment.get("title") or "attachment"))
        if reference := reference_text(payload.get("contentReference")):
            attachments.append(reference)
    return "\n\n".join(texts), attachments


class RecordTools:
    def __init__(self, context: ToolContext) -> None:
        self._context = context

    async def _read(self, source: str, resource_type: str, resource_id: str) -> dict[str, Any]:
        target = f"{resource_type}/{resource_id}"
        try:
            item = self._context.registry.source(source)
        except UnknownSourceError as error:
            raise to_tool_error(error, source=source, target=target) from error
        try:
            return await item.client.read(resource_type, resource_id)
        except FhirClientError as error:
            raise to_tool_error(error, source=source, target=target, login_hint=item.login_hint) from error

    async def _attachment(self, source: str, id: str) -> tuple[dict[str, Any], str]:
        """The Binary `id`, or a DocumentReference's first attachment (its Binary or inline data), with a label."""
        document_id = id.removeprefix("DocumentReference/")
        if document_id == id:
            binary_id = id.removeprefix("Binary/")
            return await self._read(source, "Binary", binary_id), f"Binary/{binary_id}"
        document = await self._read(source, "DocumentReference", document_id)
        for content in document.get("content") or []:
            attachment = content.get("attachment") if isinstance(content, Mapping) else None
            if not isinstance(attachment, Mapping):
                continue
            url = str(attachment.get("url") or "")
            if url.startswith("Binary/"):
                binary_id = url.removeprefix("Binary/")
                return await self._read(source, "Binary", binary_id), url
            if attachment.get("data"):
                return {"contentType": attachment.get("contentType"), "data": attachment.get("data")}, f"{id} (inline)"
        raise ToolError(
            f"{bounded_text(id)} on source {quote_input(source)} has no attachment fhirgate can read "
            "(no Binary, no inline data)."
        )

    async def read_message(
        self, source: SourceName, id: ResourceId, max_tokens: MaxTokensArg = DEFAULT_MAX_TOKENS
    ) -> str:
        """One secure message (Communication) in full: sender, recipients, date, subject, text."""
        message = await self._read(source, "Communication", id)
        senders = reference_text(message.get("sender")) or "unknown sender"
        recipients = ", ".join(reference_text(r) for r in message.get("recipient") or [] if reference_text(r))
        topic = concept_text(message.get("topic")) or concept_text((message.get("category") or [None])[0])
        # Everything but fhirgate's own words is the source's: sender, recipients, subject, status, text.
        record = [f"sent {message.get('sent', '?')} by {senders}" + (f" to {recipients}" if recipients else "")]
        record += [f"subject: {topic}"] if topic else []
        record.append(f"status: {message.get('status', '?')}")
        text, attachments = _message_text(message)
        text, cut = _bounded(text, max_tokens)
        if attachments:
            record.append("attachments (read with get_binary): " + ", ".join(attachments))
        record += ["", text or "(no text)"]
        head = f"Communication/{bounded_text(id)} from {quote_input(source)}: the message as the source holds it.{cut}"
        return f"{head}\n{fence(chr(10).join(record), what='message')}"

    async def get_binary(
        self, source: SourceName, id: DocumentId, max_tokens: MaxTokensArg = DEFAULT_MAX_TOKENS
    ) -> str:
        """A document's readable text (HTML, plain text, PDF), cut to max_tokens and saying so."""
        binary, label = await self._attachment(source, id)
        # A DocumentReference's attachment address and any content type are the source's words: fenced.
        named = bounded_text(label) if label.startswith("Binary/") and label.endswith(id) else ""
        named = named or f"{bounded_text(id)}, attachment {fenced_quote(label)}"
        content_type = str(binary.get("contentType") or "")
        what = f"{named} from {quote_input(source)}"
        try:
            data = base64.b64decode(str(binary.get("data") or ""), validate=True)
        except (binascii.Error, ValueError):
            return f"{what}: its data is not valid base64, so it cannot be read."
        what += f" ({len(data)} bytes, content type {fenced_quote(content_type)})"
        extracted = extract_text(content_type, data)
        if extracted.text is None:
            return f"{what}: no text to extract ({fenced_quote(extracted.problem)})."
        text, cut = _bounded(extracted.text, max_tokens)
        return f"{what}: extracted text.{cut}\n{fence(text or '(empty)', what='document text')}"
