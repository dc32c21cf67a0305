"""The secure-message chain against the sandbox portal's compose endpoints (§3.2, §3.3)."""

from __future__ import annotations

import pytest

from gateway.writes.errors import WriteChainError
from gateway.writes.message import MessageChain, MessageDraft
from tests.writes.conftest import SignedInPortal

DRAFT = MessageDraft(
    recipient="alex sample md",
    topic="Medication",
    subject="Question about my prescription",
    text="First line.\n\nSecond paragraph.",
)


async def test_preview_resolves_recipient_and_topic_without_composing(portal: SignedInPortal) -> None:
    preview = await MessageChain(portal.client).preview(DRAFT)
    assert preview.can_confirm, preview.warnings
    assert preview.content["recipient"] == "ALEX SAMPLE MD" and preview.content["topic_value"] == "98"
    assert portal.config.writes.compose_ids == set() and portal.config.writes.sent_messages == []


async def test_commit_sends_the_browser_shaped_message_and_cleans_up(portal: SignedInPortal) -> None:
    _preview, result = await MessageChain(portal.client).commit(DRAFT)
    assert result is not None and result.succeeded and result.conversation_id.startswith("WP-")
    [sent] = portal.config.writes.sent_messages
    assert sorted(sent["recipient"]) == ["departmentId", "displayName", "poolId", "providerId", "userId"]
    assert sent["messageBody"] == ["First line.", "", "Second paragraph."]
    assert sent["viewers"][0]["wprId"].startswith("WP-")
    assert portal.config.writes.compose_ids == set()  # RemoveComposeId always runs


@pytest.mark.parametrize(
    ("draft", "warning"),
    [
        (MessageDraft("Dr Nobody", "Medication", "s", "t"), "unknown recipient"),
        (MessageDraft("ALEX SAMPLE MD", "Billing", "s", "t"), "unknown topic"),
        (MessageDraft("ALEX SAMPLE MD", "101", " ", "t"), "subject is empty"),
        (MessageDraft("ALEX SAMPLE MD", "101", "s", ""), "message is empty"),
    ],
)
async def test_blockers_stop_the_commit_before_anything_is_composed(
    portal: SignedInPortal, draft: MessageDraft, warning: str
) -> None:
    preview, result = await MessageChain(portal.client).commit(draft)
    assert result is None and any(warning in w for w in preview.warnings)
    assert portal.config.writes.compose_ids == set() and portal.config.writes.sent_messages == []


async def test_a_send_that_fails_halfway_is_reported_and_cleaned_up(portal: SignedInPortal) -> None:
    portal.config.writes.fail_at = "SendMedicalAdviceRequest"
    with pytest.raises(WriteChainError) as failure:
        await MessageChain(portal.client).commit(DRAFT)
    assert failure.value.step == "SendMedicalAdviceRequest" and failure.value.sent
    assert portal.config.writes.sent_messages == [] and portal.config.writes.compose_ids == set()
