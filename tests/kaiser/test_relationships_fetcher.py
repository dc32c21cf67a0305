"""The relationships fetcher against the sandbox portal (in process), and its request contract."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import relationships
from tests.sync.portal_harness import make_portal
from translators import TranslationContext, translate_relationships


async def test_fetches_the_roster_and_it_translates_cleanly() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        raw = await relationships.fetch_relationships(client)
    assert raw == portal.patient.relationships
    result = translate_relationships(raw, TranslationContext(patient_id="p"))
    assert result.warnings == [] and len(result.resources) == 3


async def test_a_form_post_without_the_anti_forgery_token_is_rejected() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.mychart_post_form(
                "Demographics/Relationships/GetRelationshipList",
                relationships.FORM,
                surface=relationships.SURFACE,
                key="GetRelationshipList",
                referer_path=relationships.PAGE,
                csrf="",
            )
