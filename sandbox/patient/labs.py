"""Test-result orders (KAISER_API.md §2.6): the GetList entry, its group, and the GetDetails body.

Orders collected at the same visit share one ``newResultGroups`` element; groups carry the Pacific
``sortDate`` with its offset while order instants are UTC ``Z``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.patient.components import build_component, is_abnormal_flag
from sandbox.patient.lab_catalog import ENCOUNTERS, PANELS, PROVIDERS, EncounterSpec, PanelSpec
from sandbox.patient.model import LabOrder
from sandbox.patient.opaque import wp_id
from sandbox.patient.timeline import display_date, display_datetime, iso_utc_z, pacific

__all__ = ["build_lab_orders"]


def _order_metadata(provider: str, resulted: datetime, result_type: str) -> dict[str, Any]:
    return {
        "orderProviderName": provider,
        "authorizingProviderName": provider,
        "prioritizedInstantISO": iso_utc_z(resulted),
        "prioritizedInstantDisplay": display_datetime(resulted),
        "resultType": result_type,
    }


def _detail(
    key: str, panel: PanelSpec, metadata: dict[str, Any], collected: datetime, components: list[dict[str, Any]]
) -> dict[str, Any]:
    comments = [{"contentAsHtml": panel.provider_comment_html}] if panel.provider_comment_html else []
    has_comment = bool(comments) or any(c["componentComments"]["hasContent"] for c in components)
    is_abnormal = any(is_abnormal_flag(c["componentResultInfo"]["abnormalFlagCategoryValue"]) for c in components)
    result = {
        "name": panel.name,
        "key": key,
        "orderMetadata": {
            **metadata,
            "resultStatus": panel.result_status,
            "specimensDisplay": panel.specimen,
            "collectionTimestampsDisplay": display_datetime(collected),
        },
        "resultComponents": components,
        "studyResult": {
            "hasStudyContent": bool(panel.narrative_html),
            "narrative": panel.narrative_html,
            "impression": panel.impression_html,
        },
        "resultNote": {
            "hasContent": bool(panel.note_html),
            "contentAsString": panel.note_text,
            "contentAsHtml": panel.note_html,
        },
        "providerComments": comments,
        "reportDetails": {"isDownloadablePDFReport": panel.pdf},
        "scans": [],
        "imageStudies": [],
        "isAbnormal": is_abnormal,
        "hasComment": has_comment,
    }
    return {"orderName": panel.name, "key": key, "results": [result]}


def _encounter_orders(rng: random.Random, encounter: EncounterSpec) -> list[LabOrder]:
    day = date(encounter.year, encounter.month, rng.randint(1, 28))
    collected = pacific(day, rng.randint(7, 10), rng.randint(0, 59))
    provider = rng.choice(PROVIDERS)
    group: dict[str, Any] = {
        "key": wp_id(rng, 64),
        "resultList": [],
        "sortDate": collected.isoformat(),
        "formattedDate": display_date(day),
        "organizationID": "",
    }
    orders = []
    for panel_id in encounter.panels:
        panel = PANELS[panel_id]
        key = wp_id(rng, rng.randint(80, 120))
        resulted = collected + timedelta(hours=rng.randint(*panel.result_delay_hours), minutes=rng.randint(0, 59))
        metadata = _order_metadata(provider, resulted, panel.result_type)
        components = [build_component(rng, spec) for spec in panel.analytes]
        detail = _detail(key, panel, metadata, collected, components)
        result = detail["results"][0]
        list_entry = {
            "key": key,
            "name": panel.name,
            "orderMetadata": metadata,
            "resultComponents": [],
            "isAbnormal": result["isAbnormal"],
            "hasComment": result["hasComment"],
        }
        group["resultList"].append(key)
        orders.append(LabOrder(list_entry=list_entry, group=group, detail=detail))
    return orders


def build_lab_orders(rng: random.Random, encounters: tuple[EncounterSpec, ...] = ENCOUNTERS) -> tuple[LabOrder, ...]:
    """All orders, newest result first."""
    orders = [order for encounter in encounters for order in _encounter_orders(rng, encounter)]
    orders.sort(key=lambda order: order.list_entry["orderMetadata"]["prioritizedInstantISO"], reverse=True)
    return tuple(orders)
