"""Secure messages (§2.4): folders, the thread list walked by its timestamp cursor, thread details, and
the two-step attachment download (§2.4.4).

The ``api/conversations/*`` calls need the communication-center page's CSP nonce in the body plus the
anti-forgery header; one nonce and token serve a whole walk. The document calls need no nonce.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient

SURFACE = "messages"
PAGE = "app/communication-center"
BOOKMARKED = 3  # a view over other folders: its threads are already listed there
MAX_PAGES = 500  # a guard against a cursor that moves forever

log = logging.getLogger("fhirgate.kaiser")


@dataclass(frozen=True)
class MessageTokens:
    csrf: str
    nonce: str


@dataclass
class ThreadListing:
    """Every thread summary of the walked folders (by ``hthId``) and the participants they name."""

    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    viewers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DownloadedFile:
    content: bytes
    content_type: str | None
    display_name: str | None


async def page_tokens(client: PortalClient) -> MessageTokens:
    nonce = await client.page_nonce(PAGE)
    return MessageTokens(csrf=await client.csrf_token(PAGE), nonce=nonce)


async def _post(client: PortalClient, tokens: MessageTokens, action: str, body: dict[str, Any], key: str) -> Any:
    return await client.mychart_post_json(
        f"api/conversations/{action}",
        {**body, "PageNonce": tokens.nonce},
        surface=SURFACE,
        key=key,
        referer_path=PAGE,
        csrf=tokens.csrf,
    )


async def fetch_folders(client: PortalClient, tokens: MessageTokens) -> list[int]:
    """Folder tags worth walking: every folder but Bookmarked that reports threads."""
    body = await _post(client, tokens, "GetFoldersList", {}, "GetFoldersList")
    if not isinstance(body, list):
        raise MalformedPayload(SURFACE, "GetFoldersList", "not a list")
    tags = []
    for folder in body:
        tag = folder.get("tag") if isinstance(folder, dict) else None
        count = folder.get("totalCount") if isinstance(folder, dict) else None
        if isinstance(tag, int) and tag != BOOKMARKED and count != 0:
            tags.append(tag)
    return tags


async def fetch_thread_list(client: PortalClient, tokens: MessageTokens, tag: int, listing: ThreadListing) -> None:
    """Walk one folder newest to oldest into ``listing``; stops when the portal says so or the cursor stalls."""
    cursor = ""
    for _ in range(MAX_PAGES):
        request = {
            "tag": tag,
            "localLoadParams": {"loadStartInstantISO": cursor, "loadEndInstantISO": "", "pagingInfo": 1},
            "externalLoadParams": {},
            "searchQuery": "",
        }
        body = await _post(client, tokens, "GetConversationList", request, f"GetConversationList:{tag}")
        summary = body.get("localSummary") if isinstance(body, dict) else None
        conversations = body.get("conversations") if isinstance(body, dict) else None
        if not isinstance(summary, dict) or not isinstance(conversations, list):
            raise MalformedPayload(SURFACE, f"GetConversationList:{tag}", "no conversations or localSummary")
        for conversation in conversations:
            if isinstance(conversation, dict) and isinstance(conversation.get("hthId"), str):
                listing.threads.setdefault(conversation["hthId"], conversation)
        for name, target in (("users", listing.users), ("viewers", listing.viewers)):
            if isinstance(body.get(name), dict):
                target.update(body[name])
        next_cursor = summary.get("oldestSearchedInstantISO")
        if summary.get("hasMoreConversations") is not True or not isinstance(next_cursor, str):
            return
        if not next_cursor or next_cursor == cursor:
            log.info("event=message_cursor_stalled folder=%d threads=%d", tag, len(listing.threads))
            return
        cursor = next_cursor


async def fetch_thread(client: PortalClient, tokens: MessageTokens, thread_id: str) -> dict[str, Any]:
    body = await _post(
        client, tokens, "GetConversationDetails", {"id": thread_id, "messageId": "", "organizationId": ""}, "thread"
    )
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        raise MalformedPayload(SURFACE, "GetConversationDetails", "no messages list")
    return body


async def fetch_attachment(client: PortalClient, csrf: str, dcs_id: str, extension: str) -> DownloadedFile:
    """``GetDocumentDetailsLegacy`` for the download URL (which lacks the region prefix), then the bytes."""
    details = await client.mychart_post_json(
        "api/documents/viewer/GetDocumentDetailsLegacy",
        {"dcsId": dcs_id, "fileExtension": extension or "PDF", "organizationId": "", "useOldMobileLink": False},
        surface=SURFACE,
        key="GetDocumentDetailsLegacy",
        referer_path=PAGE,
        csrf=csrf,
    )
    url = details.get("downloadUrl") if isinstance(details, dict) else None
    if not isinstance(url, str) or not url.startswith("/"):
        raise MalformedPayload(SURFACE, "GetDocumentDetailsLegacy", "no relative downloadUrl")
    response = await client.get_bytes(client.mychart_url(url), surface=SURFACE, accept="*/*", referer_path=PAGE)
    if not response.content:
        raise MalformedPayload(SURFACE, "Download", "empty document body")
    content_type = response.headers.get("content-type", "").split(";")[0].strip() or None
    mime = details.get("mimeType")
    display = details.get("displayName")
    return DownloadedFile(
        content=response.content,
        content_type=content_type or (mime if isinstance(mime, str) else None),
        display_name=display if isinstance(display, str) else None,
    )
