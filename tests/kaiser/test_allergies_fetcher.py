"""The allergies fetcher against the sandbox portal, including the "no known allergies" patient."""

from __future__ import annotations

import dataclasses
import random

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import allergies
from sandbox.patient import generate_patient
from sandbox.patient.allergies import build_allergy_list
from tests.kaiser.sandbox_portal import signed_in_portal
from translators import TranslationContext, translate_allergy_list


async def test_fetcher_output_translates_one_allergy_per_item() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        body = await allergies.fetch_allergy_list(client)
    result = translate_allergy_list(body, TranslationContext(patient_id="p1"))
    assert len(result.resources) == len(body["DataList"]) > 0


async def test_no_known_allergies_patient_yields_the_snomed_refutation() -> None:
    patient = generate_patient(seed=1)
    empty = build_allergy_list(random.Random("1/allergies"), "small", "2/29/1980", none_known=True)
    portal = signed_in_portal(dataclasses.replace(patient, allergy_list=empty))
    async with portal.client() as client:
        body = await allergies.fetch_allergy_list(client)
    assert body["DataList"] == [] and body["AllergiesStatus"] == 0
    [resource] = translate_allergy_list(body, TranslationContext(patient_id="p1")).resources
    assert resource["code"]["coding"][0]["code"] == "716186003"


async def test_a_post_without_the_anti_forgery_header_is_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.mychart_post_query(
                "Clinical/Allergies/LoadListData",
                {"csn": "undefined", "ComponentNumber": "4"},
                surface=allergies.SURFACE,
                key="LoadListData",
                referer_path=allergies.PAGE,
                csrf=None,
                body={},
            )
