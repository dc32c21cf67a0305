"""The care-team fetcher against the sandbox portal (in process), and its request contract."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import care_team
from tests.sync.portal_harness import make_portal
from translators import TranslationContext, primary_care_reference, translate_care_team


async def test_fetches_load_and_load_external_with_one_token() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        payloads = await care_team.fetch_care_team(client)
        assert client.request_count == 3  # one CSRF token, Load, LoadExternal
    assert payloads.load == portal.patient.care_team
    assert payloads.external == portal.patient.care_team_external
    result = translate_care_team(payloads.load, TranslationContext(patient_id="p"), external=payloads.external)
    assert result.warnings == []
    assert primary_care_reference(payloads.load) in {f"Practitioner/{r['id']}" for r in result.resources}


async def test_load_without_the_anti_forgery_token_is_rejected() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.request_json(
                "POST",
                client.mychart_url("Clinical/CareTeam/Load"),
                surface=care_team.SURFACE,
                key="Load",
                headers={"Referer": client.mychart_url(care_team.PAGE)},
                params={"ComponentNumber": "2", "isPrimaryStandalone": "true"},
            )
