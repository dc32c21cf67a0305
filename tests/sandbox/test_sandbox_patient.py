"""The synthetic patient: determinism, and every documented quirk of each surface (KAISER_API.md §2)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from sandbox.patient import SyntheticPatient, generate_patient


def _dump(patient: SyntheticPatient) -> str:
    orders = [[o.list_entry, o.group, o.detail] for o in patient.lab_orders]
    return json.dumps([patient.username, patient.password, patient.profile, orders, patient.rx_details])


def _components(patient: SyntheticPatient) -> list[dict[str, Any]]:
    return [c for o in patient.lab_orders for c in o.detail["results"][0]["resultComponents"]]


def _rxs(patient: SyntheticPatient) -> list[dict[str, Any]]:
    prescriptions = patient.rx_details["prescriptions"]
    return [*prescriptions["fillable"], *prescriptions["nonFillable"]]


def test_same_seed_gives_identical_json_and_another_seed_differs() -> None:
    assert _dump(generate_patient(7)) == _dump(generate_patient(7))
    assert _dump(generate_patient(7)) != _dump(generate_patient(8))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_profile_quirks(seed: int) -> None:
    patient = generate_patient(seed)
    account = patient.profile["UserAccountData"]["ebizAccountsWithPersonInfos"]
    postal_codes = [address["postalCode"] for address in account["contactInfo"]["addressInfos"]]
    assert all(isinstance(code, int) for code in postal_codes)
    assert any(len(str(code)) == 9 for code in postal_codes)  # ZIP+4 as one integer
    assert any(len(str(code)) == 8 for code in postal_codes)  # leading zero lost
    phones = account["contactInfo"]["phoneInfos"]
    assert all(isinstance(value, int) for p in phones for value in [p["phoneNumber"]["area"]])
    assert all(p["phoneNumber"]["subscriber"] < 1000 for p in phones)  # needs zero padding
    assert not any(p["primaryIndicator"] for p in phones)
    sms = next(p for p in phones if p["type"] == "SMS")
    assert patient.phone_last4 == f"{sms['phoneNumber']['subscriber']:04d}"
    assert account["contactInfo"]["emailAddresseInfos"] == []
    assert isinstance(account["age"], float) and account["gender"] in {"F", "M"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", account["dateOfBirth"])
    care = account["areaOfCareInfos"][0]
    assert isinstance(care["mrn"], int) and care["mrn"] == account["membershipAccountInfo"]["accountId"]
    assert care["areaOfCare"] == "NCA" and account["membershipAccountInfo"]["region"] == "NCA"
    assert account["membershipAccountInfo"]["planInfos"][0]["coverageEndDate"] == "9999-12-31"
    identity = patient.profile["UserAccountData"]["userIdentityInfo"]
    assert isinstance(identity["guid"], int) and identity["email"].endswith("@example.test")


def test_lab_orders_span_types_years_and_sizes(patient: SyntheticPatient) -> None:
    orders = patient.lab_orders
    assert 7 <= len(orders) <= 10
    types = [o.list_entry["orderMetadata"]["resultType"] for o in orders]
    assert types.count("IMAGING") == 1 and types.count("OTHER") == 1
    years = {o.list_entry["orderMetadata"]["prioritizedInstantISO"][:4] for o in orders}
    assert {"2023", "2026"} <= years
    for order in orders:
        result = order.detail["results"][0]
        count = len(result["resultComponents"])
        if result["orderMetadata"]["resultType"] == "LAB":
            assert 1 <= count <= 12
        else:
            assert count == 0
        assert order.list_entry["resultComponents"] == []
        assert order.key == order.detail["key"] == result["key"]
        assert order.key in order.group["resultList"]
        assert re.fullmatch(r"WP-24[A-Za-z0-9_-]{55,130}", order.key)


def test_lab_value_quirks(patient: SyntheticPatient) -> None:
    infos = [c["componentResultInfo"] for c in _components(patient)]
    non_numeric = [i for i in infos if "numericValue" not in i]
    assert any(i["value"] == ">90" for i in non_numeric)
    assert any(i["value"].startswith("<") for i in non_numeric)
    assert any(i["value"] == "Negative" for i in non_numeric)
    assert all(isinstance(i["value"], str) for i in infos)
    numeric = [i for i in infos if "numericValue" in i]
    assert all(float(i["value"]) == i["numericValue"] for i in numeric)
    flags = {i["abnormalFlagCategoryValue"] for i in infos}
    assert {"High", "Low", "Normal", "Unknown", ""} <= flags
    ranges = [i["referenceRange"] for i in infos]
    formatted = {r["formattedReferenceRange"] for r in ranges}
    assert {">=60", "<200"} <= formatted
    assert any(r["formattedReferenceRange"] == "" and r["displayLow"] and r["displayHigh"] for r in ranges)
    for info in infos:
        if info["abnormalFlagCategoryValue"] == "High":
            assert info["numericValue"] > float(info["referenceRange"]["displayHigh"])
        if info["abnormalFlagCategoryValue"] == "Low":
            assert info["numericValue"] < float(info["referenceRange"]["displayLow"])


def test_lab_comment_status_and_time_quirks(patient: SyntheticPatient) -> None:
    results = [o.detail["results"][0] for o in patient.lab_orders]
    assert any("<" in c["componentComments"]["contentAsHtml"] for c in _components(patient))
    assert any(r["providerComments"] and r["providerComments"][0]["contentAsHtml"] for r in results)
    statuses = {r["orderMetadata"]["resultStatus"] for r in results}
    assert statuses == {"Final", "Preliminary"}
    for result in results:
        meta = result["orderMetadata"]
        assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2} [AP]M", meta["collectionTimestampsDisplay"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["prioritizedInstantISO"])
    offsets = {o.group["sortDate"][-6:] for o in patient.lab_orders}
    assert offsets == {"-08:00", "-07:00"}
    assert all(o.group["organizationID"] == "" for o in patient.lab_orders)
    abnormal = [r for r in results if r["isAbnormal"]]
    assert abnormal and all(r["resultComponents"] for r in abnormal)


def test_imaging_and_other_orders_carry_text(patient: SyntheticPatient) -> None:
    by_type = {o.list_entry["orderMetadata"]["resultType"]: o.detail["results"][0] for o in patient.lab_orders}
    study = by_type["IMAGING"]["studyResult"]
    assert study["hasStudyContent"] and "<p>" in study["narrative"] and study["impression"]
    note = by_type["OTHER"]["resultNote"]
    assert note["hasContent"] and "<" in note["contentAsHtml"] and note["contentAsString"]


def test_rx_details_quirks(patient: SyntheticPatient) -> None:
    details = patient.rx_details
    assert details["executionContext"]["statusCode"] == "000"
    guid = patient.profile["UserAccountData"]["userIdentityInfo"]["guid"]
    assert details["member"]["guid"] == str(guid)
    rxs = _rxs(patient)
    assert len(rxs) == 5 and details["prescriptions"]["nonFillable"]
    assert any(rx["lastRefillDate"] == "N/A" for rx in rxs)
    recent_dates = [rx["recentRxDate"] for rx in rxs]
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for d in recent_dates)
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in recent_dates)
    assert all(isinstance(rx["refillsRemaining"], str) for rx in rxs)
    assert {rx["mailable"] for rx in rxs} == {"true", "false"}
    assert sum("compound" not in rx["afcInfo"] for rx in rxs) == 1
    assert sum(rx["afcInfo"]["prn"] for rx in rxs) == 1
    assert all(re.fullmatch(r"\d{11}", rx["afcInfo"]["lastdispensedndc"]) for rx in rxs)
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", rx["prescribedOn"]) for rx in rxs)
    exhausted = [rx for rx in details["prescriptions"]["fillable"] if rx["refillsRemaining"] == "0"]
    assert exhausted and exhausted[0]["rarCodeKey"] == "Rx_NoMoreRefills"


def test_credentials_are_synthetic(patient: SyntheticPatient) -> None:
    assert patient.username and patient.password.startswith("sandbox-")
    assert re.fullmatch(r"01\d\d", patient.phone_last4)
