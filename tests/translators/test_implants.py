"""Implants -> Device + Procedures: UDI parts, display dates, explants, duplicate feed rows."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from translators import TranslationContext, translate_implants, validated

CTX = TranslationContext(patient_id="pat-1")
EMPTY = {"isoDate": "", "deviceCount": "", "provider": "", "facility": ""}
# The KAISER_API.md §2.12 example.
PACER: dict[str, Any] = {
    "id": "WP-24imp-invented", "name": "Sample Pacer 1000", "type": "Pacemaker", "area": "Chest", "laterality": "Left",
    "status": "Implanted", "isExplant": False, "isExternal": False, "manufacturer": "ACME CARDIAC", "model": "SP-1000",
    "serial": "SN-0001", "udi": "(01)00000000000000(17)300101(21)SN-0001", "sdi": "00000000000000", "lot": "",
    "comments": [], "description": [], "organizationLinks": [],
    "implantProcedure": {"isoDate": "January 3, 2024", "deviceCount": "1", "provider": "DR TEST",
                         "facility": "Sample Surgery Center"},
    "explantProcedure": EMPTY,
}  # fmt: skip


def _body(*devices: dict[str, Any]) -> dict[str, Any]:
    keys = [f"IMP-{n}" for n in range(1, len(devices) + 1)]
    return {
        "implantGroupList": [{"area": "Chest", "implantIDs": keys}],
        "implantList": {key: copy.deepcopy(device) for key, device in zip(keys, devices, strict=True)},
        "communityActive": False,
    }


def _device(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(PACER), **changes}


def test_the_documented_pacemaker() -> None:
    result = translate_implants(_body(PACER), CTX)
    device, implant = result.resources
    assert not result.warnings
    assert device["udiCarrier"] == [{"deviceIdentifier": "00000000000000", "carrierHRF": PACER["udi"]}]
    assert device["status"] == "active" and device["serialNumber"] == "SN-0001" and "lotNumber" not in device
    assert device["deviceName"] == [{"name": "Sample Pacer 1000", "type": "user-friendly-name"}]
    assert device["type"] == {"text": "Pacemaker"} and device["modelNumber"] == "SP-1000"
    assert device["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-implantable-device"]
    assert implant["performedDateTime"] == "2024-01-03" and implant["status"] == "completed"
    assert implant["bodySite"] == [{"text": "Left Chest"}] and implant["location"] == {
        "display": "Sample Surgery Center"
    }
    assert implant["performer"] == [{"actor": {"display": "DR TEST"}}]
    assert implant["focalDevice"] == [
        {"action": {"text": "Implanted"}, "manipulated": {"reference": f"Device/{device['id']}"}}
    ]
    assert implant["extension"] == [{"url": "urn:fhirgate:kaiser:extension:device-count", "valueString": "1"}]


ROWS: list[tuple[str, dict[str, Any], Any]] = [
    ("older device without UDI", _device(udi="", sdi=""), lambda r: "udiCarrier" not in r[0]),
    (
        "UDI without sdi: GTIN read from the HRF",
        _device(sdi=""),
        lambda r: r[0]["udiCarrier"][0]["deviceIdentifier"] == "00000000000000",
    ),
    (
        "explanted: inactive plus a removal",
        _device(
            status="Explanted",
            isExplant=True,
            explantProcedure={"isoDate": "May 9, 2025", "deviceCount": "", "provider": "", "facility": ""},
        ),
        lambda r: (
            r[0]["status"] == "inactive"
            and r[2]["code"]["text"] == "Removal of device"
            and r[2]["performedDateTime"] == "2025-05-09"
        ),
    ),
    (
        "implant date missing: status unknown",
        _device(implantProcedure={**EMPTY, "facility": "X"}),
        lambda r: r[1]["status"] == "unknown" and "performedDateTime" not in r[1],
    ),
    ("unknown area and laterality", _device(area="", laterality=""), lambda r: "bodySite" not in r[1]),
    ("comments become notes", _device(comments=["+20.0 D"]), lambda r: r[0]["note"] == [{"text": "+20.0 D"}]),
]


@pytest.mark.parametrize(("quirk", "raw", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirks(quirk: str, raw: dict[str, Any], check: Any) -> None:
    result = translate_implants(_body(raw), CTX)
    assert check(result.resources), quirk
    assert all(validated(r) == r for r in result.resources)


def test_a_device_listed_twice_stays_two_devices() -> None:
    feed_copy = _device(id="WP-24imp-feed", name="ACM-4471 SAMPLE PACER 1000", udi="", sdi="")
    result = translate_implants(_body(PACER, feed_copy), CTX)
    devices = [r for r in result.resources if r["resourceType"] == "Device"]
    assert len(devices) == 2 and {d["serialNumber"] for d in devices} == {"SN-0001"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (_device(status="Recalled"), "status"),
        (_device(implantProcedure={**EMPTY, "isoDate": "soon"}), "implantProcedure.isoDate"),
    ],
)
def test_bad_values_warn(raw: dict[str, Any], field: str) -> None:
    assert field in [w.field for w in translate_implants(_body(raw), CTX).warnings]


def test_deterministic() -> None:
    assert json.dumps(translate_implants(_body(PACER), CTX).resources) == json.dumps(
        translate_implants(_body(PACER), CTX).resources
    )


@pytest.mark.parametrize(
    ("body", "types", "warned"),
    [
        ({}, [], ["implantList"]),
        ({"implantList": []}, [], ["implantList"]),
        ({"implantList": {"A": None, "B": 3}}, [], ["implantList.A", "implantList.B", "implantList.B"]),
        ({"implantList": {"C": {}}}, ["Device"], []),
    ],
)
def test_malformed_payloads_give_valid_resources_and_warn_of_each_flaw(
    body: dict[str, Any], types: list[str], warned: list[str]
) -> None:
    result = translate_implants(body, CTX)
    assert [resource["resourceType"] for resource in result.resources] == types
    assert all(validated(resource) == resource for resource in result.resources)
    assert [warning.field for warning in result.warnings] == warned
