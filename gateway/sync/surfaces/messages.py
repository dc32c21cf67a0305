"""The messages surface: every folder's thread list each time; details and attachments only for threads
new or changed since the last sync.

A thread's list summary (latest message, tags, flags) is fingerprinted; the sync state maps each thread's
fhirgate key (a hash, never Kaiser's sensitive ``hthId``) to that fingerprint and the ids of the resources
it produced, which are taken back from the store while the thread is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from gateway.kaiser.errors import MalformedPayload, PortalContractError
from gateway.kaiser.surfaces import messages
from gateway.sync.kept import content_fingerprint, stored_resources
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.ids import stable_id
from translators.messages import DownloadedDocument, translate_conversation

log = logging.getLogger("fhirgate.sync")


async def _collect(ctx: SyncContext) -> Collected:
    tokens = await messages.page_tokens(ctx.client)
    listing = messages.ThreadListing()
    for tag in await messages.fetch_folders(ctx.client, tokens):
        await messages.fetch_thread_list(ctx.client, tokens, tag, listing)
    ctx.progress.surface_total(messages.SURFACE, len(listing.threads))
    previous: dict[str, Any] = ctx.previous_state.get("threads") or {}
    state: dict[str, Any] = {}
    collected = Collected()
    translation = ctx.translation()

    async def one(thread_id: str, summary: dict[str, Any]) -> None:
        key, fingerprint = stable_id(messages.SURFACE, f"thread:{thread_id}"), content_fingerprint(summary)
        kept = previous.get(key) or {}
        ids = kept.get("ids") or []
        stored = stored_resources(ctx.store, ids) if ids and kept.get("fp") == fingerprint else None
        if stored is not None:
            collected.result.resources.extend(stored)
            state[key] = kept
        else:
            try:
                detail = await messages.fetch_thread(ctx.client, tokens, thread_id)
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
        ctx.progress.surface_advanced(messages.SURFACE)

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
                file = await messages.fetch_attachment(ctx.client, csrf, dcs_id, str(item.get("fileExtension") or ""))
            except (MalformedPayload, PortalContractError) as exc:
                # The Communication still names the attachment; only its bytes are missing.
                collected.problems.append(f"surface=messages thread {key}: an attachment was not downloaded ({exc})")
                continue
            found[dcs_id] = DownloadedDocument(file.content, file.content_type, file.display_name)
    return found


MESSAGES = Surface(messages.SURFACE, "Messages", ("Communication", "Binary"), _collect)
