"""The messages fetcher: folders, the cursor walk, thread details and the two-step attachment download."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import messages
from tests.sync.portal_harness import make_portal
from translators import DownloadedDocument, TranslationContext, translate_conversation


async def test_walks_every_folder_and_reads_every_thread() -> None:
    portal = make_portal()
    center = portal.patient.message_center
    async with await portal.client() as client:
        tokens = await messages.page_tokens(client)
        listing = messages.ThreadListing()
        for tag in await messages.fetch_folders(client, tokens):
            await messages.fetch_thread_list(client, tokens, tag, listing)
        assert set(listing.threads) == {t["conversation"]["hthId"] for t in center["threads"]}
        thread = next(t["conversation"] for t in center["threads"] if t["conversation"]["hasAttachments"])
        detail = await messages.fetch_thread(client, tokens, thread["hthId"])
        item = detail["messages"][0]["attachments"][0]
        file = await messages.fetch_attachment(client, tokens.csrf, item["dcsId"], item["fileExtension"])
    assert detail == thread
    assert file.content == center["documents"][item["dcsId"]]["content"]
    assert file.content_type == "application/pdf"
    downloads = {item["dcsId"]: DownloadedDocument(file.content, file.content_type, file.display_name)}
    result = translate_conversation(
        detail, TranslationContext(patient_id="p"), users=listing.users, viewers=listing.viewers, downloads=downloads
    )
    assert result.warnings == []
    assert [r["resourceType"] for r in result.resources][-1] == "Binary"


async def test_large_inbox_is_walked_across_pages_by_the_timestamp_cursor() -> None:
    portal = make_portal(size="large")
    inbox = [t["conversation"]["hthId"] for t in portal.patient.message_center["threads"] if t["folder"] == 1]
    assert len(inbox) > 50
    async with await portal.client() as client:
        tokens = await messages.page_tokens(client)
        listing = messages.ThreadListing()
        before = client.request_count
        await messages.fetch_thread_list(client, tokens, 1, listing)
        pages = client.request_count - before
    assert list(listing.threads) == inbox
    assert pages == -(-len(inbox) // 50)


async def test_a_list_call_without_the_page_nonce_is_rejected() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        tokens = await messages.page_tokens(client)
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await messages.fetch_thread_list(
                client, messages.MessageTokens(csrf=tokens.csrf, nonce=""), 1, messages.ThreadListing()
            )
        with pytest.raises(PortalContractError):
            await messages.fetch_folders(client, messages.MessageTokens(csrf="", nonce=tokens.nonce))
