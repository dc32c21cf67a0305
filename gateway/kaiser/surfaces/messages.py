"""The messages surface: every folder's thread list each time; details and attachments only for threads
new or changed since the last sync.

A thread's list summary (latest message, tags, flags) is fingerprinted; the sync state maps each thread's
fhirgate key (a hash, never Kaiser's sensitive ``hthId``) to that fingerprint and the ids of the resources
it produced, which are taken back from the store while the thread is unchanged.

Secure messages (§2.4): folders, the thread list walked by its timestamp cursor, thread details, and
the two-step attachment download (§2.4.4).

The ``api/conversations/*`` calls need the communication-center page's CSP nonce in the body plus the
anti-forgery header; one nonce and token serve a whole walk. The document calls need no nonce.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from gateway.kaiser.errors import MalformedPayload, PortalContractError
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.documents import DocumentRequest, DownloadedFile, download_document
from gateway.kaiser.surfaces.kept import content_fingerprint, stored_resources
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.ids import stable_id
from translators.messages import DownloadedDocument, translate_conversation

SURFACE = "messages"
PAGE = "app/communication-center"
BOOKMARKED = 3  # a view over other folders: its threads are already listed there
MAX_PAGES = 500  # a guard against a cursor that moves forever

log = logging.getLogger("fhirgate.kaiser")

_ATTACHMENT = DocumentRequest(SURFACE, PAGE, "GetDocumentDetailsLegacy", accept="*/*")


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
    """The portal's document download (``GetDocumentDetailsLegacy``, whose URL lacks the region prefix)."""
    file = await download_document(client, _ATTACHMENT, csrf, dcs_id, extension or "PDF")
    if not file.content:
        raise MalformedPayload(SURFACE, "Download", "empty document body")
    return file


async def _collect(ctx: SyncContext) -> Collected:
    tokens = await page_tokens(ctx.client)
    listing = ThreadListing()
    for tag in await fetch_folders(ctx.client, tokens):
        await fetch_thread_list(ctx.client, tokens, tag, listing)
    ctx.progress.surface_total(SURFACE, len(listing.threads))
    previous: dict[str, Any] = ctx.previous_state.get("threads") or {}
    state: dict[str, Any] = {}
    collected = Collected()
    translation = ctx.translation()

    async def one(thread_id: str, summary: dict[str, Any]) -> None:
        key, fingerprint = stable_id(SURFACE, f"thread:{thread_id}"), content_fingerprint(summary)
        kept = previous.get(key) or {}
        ids = kept.get("ids") or []
        stored = stored_resources(ctx.store, ids) if ids and kept.get("fp") == fingerprint else None
        if stored is not None:
            collected.result.resources.extend(stored)
            state[key] = kept
        else:
            try:
                detail = await fetch_thread(ctx.client, tokens, thread_id)
                downloads = await _downloads(ctx, tokens.csrf, detail, collected, key)
            except MalformedPayload as exc:
                collected.failed += 1
                collected.problems.append(f"surface=messages thread {key} skipped: {exc.reason}")
            else:
                result = translate_conversation(
                    detail, translation, users=listing.users, viewers=listing.viewers, downloads=downloads
                )
                collected.result.extend(result)
                ids = [f"{r['resourceType']}/{r['id']}" for r in result.resources]
                state[key] = {"fp": fingerprint, "ids": ids}
        ctx.progress.surface_advanced(SURFACE)

    await asyncio.gather(*(one(thread_id, summary) for thread_id, summary in listing.threads.items()))
    collected.sync_state = {"threads": state}
    return collected


async def _downloads(
    ctx: SyncContext, csrf: str, detail: dict[str, Any], collected: Collected, key: str
) -> dict[str, DownloadedDocument]:
    found: dict[str, DownloadedDocument] = {}
    listed = detail.get("messages")
    for message in listed if isinstance(listed, list) else []:
        attachments = message.get("attachments") if isinstance(message, dict) else None
        for item in attachments if isinstance(attachments, list) else []:
            dcs_id = item.get("dcsId") if isinstance(item, dict) else None
            if not isinstance(dcs_id, str) or dcs_id in found:
                continue
            try:
                file = await fetch_attachment(ctx.client, csrf, dcs_id, str(item.get("fileExtension") or ""))
            except (MalformedPayload, PortalContractError) as exc:
                # The Communication still names the attachment; only its bytes are missing.
                collected.problems.append(f"surface=messages thread {key}: an attachment was not downloaded ({exc})")
                continue
            found[dcs_id] = DownloadedDocument(file.content, file.content_type, file.display_name)
    return found


MESSAGES = Surface(SURFACE, "Messages", ("Communication", "Binary"), _collect)
