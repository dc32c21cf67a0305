"""The problem-list fetcher against the sandbox portal's real contract checks."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import problems
from tests.kaiser.sandbox_portal import signed_in_portal
from translators import TranslationContext, translate_problem_list


async def test_fetcher_satisfies_the_contract_and_its_output_translates() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        body = await problems.fetch_problem_list(client)
    assert body == portal.config.patient.problem_list
    result = translate_problem_list(body, TranslationContext(patient_id="p1"))
    assert len(result.resources) == len(body["DataList"]) and not result.warnings


async def test_a_post_without_the_anti_forgery_header_is_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.mychart_post_query(
                "Clinical/HealthIssues/LoadListData",
                problems.LIST_QUERY,
                surface=problems.SURFACE,
                key="LoadListData",
                referer_path=problems.PAGE,
                csrf=None,
                body={},
            )


async def test_a_token_with_the_wrong_referer_page_is_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        csrf = await client.csrf_token(problems.PAGE)
        with pytest.raises(PortalContractError):
            await client.mychart_post_query(
                "Clinical/HealthIssues/LoadListData",
                problems.LIST_QUERY,
                surface=problems.SURFACE,
                key="LoadListData",
                referer_path="Clinical/Allergies",
                csrf=csrf,
                body={},
            )
