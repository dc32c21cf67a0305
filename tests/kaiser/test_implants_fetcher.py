"""The implants fetcher against the sandbox portal."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import implants
from tests.kaiser.sandbox_portal import signed_in_portal
from translators import TranslationContext, translate_implants


async def test_fetcher_output_translates_every_device() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        body = await implants.fetch_implants(client)
    result = translate_implants(body, TranslationContext(patient_id="p1"))
    devices = [r for r in result.resources if r["resourceType"] == "Device"]
    assert len(devices) == len(body["implantList"]) and not result.warnings


async def test_a_post_without_the_anti_forgery_header_is_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.mychart_post_json(
                "api/implants/GetImplants", {}, surface="implants", key="x", referer_path=implants.PAGE, csrf=None
            )
