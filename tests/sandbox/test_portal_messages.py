"""The message center: page nonce + anti-forgery contract, folders, cursor paging, details, attachments; a
malformed compose draft's answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx2
import pytest

from sandbox.patient import generate_patient
from sandbox.portal.message_list import conversation_page
from tests.sandbox.portal_driver import BASE, PortalDriver

API = "/mychartcn/api/conversations"
REFERER = {"Referer": f"{BASE}/mychartcn/app/communication-center", "X-Requested-With": "XMLHttpRequest"}


def _nonce(driver: PortalDriver) -> str:
    page = driver.client.get("/mychartcn/app/communication-center").text
    match = re.search(r'<script nonce="([0-9a-f]{32})">', page)
    assert match
    return match.group(1)


def _post(driver: PortalDriver, path: str, body: dict[str, Any], *, token: str | None = None) -> httpx2.Response:
    headers = {**REFERER, "__RequestVerificationToken": driver.csrf_token() if token is None else token}
    return driver.client.post(path, json=body, headers=headers, follow_redirects=False)


def _list_body(nonce: str, cursor: str = "", tag: int = 1, search: str = "") -> dict[str, Any]:
    return {
        "tag": tag,
        "localLoadParams": {"loadStartInstantISO": cursor, "loadEndInstantISO": "", "pagingInfo": 1},
        "externalLoadParams": {},
        "searchQuery": search,
        "PageNonce": nonce,
    }


def _five_hundred(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].endswith("/mychartcn/Home/FiveHundred")


def test_list_inlines_only_the_latest_message_with_its_quirks(signed_in: PortalDriver) -> None:
    body = _post(signed_in, f"{API}/GetConversationList", _list_body(_nonce(signed_in))).json()
    conversations = body["conversations"]
    assert conversations and all(len(c["messages"]) == 1 for c in conversations)
    assert all("totalMessages" not in c and "tasks" not in c["messages"][0] for c in conversations)
    assert all(all(value is True for value in c["tags"].values()) for c in conversations)  # keys only when true
    assert any(c["tags"] == {} for c in conversations)
    assert any("&amp;" in c["messages"][0]["body"] or "&#39;" in c["messages"][0]["body"] for c in conversations)
    viewer = next(iter(body["viewers"].values()))
    assert viewer["isSelf"] is True
    summary = body["localSummary"]
    assert summary["hasMoreConversations"] is False
    assert summary["oldestSearchedInstantISO"] == conversations[-1]["messages"][0]["deliveryInstantISO"]


def test_details_return_every_message_newest_first_and_the_attachment_downloads(signed_in: PortalDriver) -> None:
    nonce = _nonce(signed_in)
    listed = _post(signed_in, f"{API}/GetConversationList", _list_body(nonce)).json()["conversations"]
    with_file = next(c for c in listed if c["hasAttachments"])
    detail = _post(
        signed_in,
        f"{API}/GetConversationDetails",
        {"id": with_file["hthId"], "messageId": "", "organizationId": "", "PageNonce": nonce},
    ).json()
    times = [m["deliveryInstantISO"] for m in detail["messages"]]
    assert times == sorted(times, reverse=True) and detail["totalMessages"] == len(times)
    item = detail["messages"][0]["attachments"][0]
    doc = _post(
        signed_in,
        "/mychartcn/api/documents/viewer/GetDocumentDetailsLegacy",
        {"dcsId": item["dcsId"], "fileExtension": "PDF", "organizationId": "", "useOldMobileLink": False},
    ).json()
    assert doc["downloadUrl"].startswith("/Documents/ViewDocument/Download?")  # lacks the /mychartcn prefix
    download = signed_in.client.get("/mychartcn" + doc["downloadUrl"])
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment; filename=")
    assert download.content.startswith(b"%PDF")


def test_missing_nonce_or_token_bounces_to_five_hundred(signed_in: PortalDriver) -> None:
    nonce = _nonce(signed_in)
    no_nonce = _list_body(nonce)
    del no_nonce["PageNonce"]
    assert _five_hundred(_post(signed_in, f"{API}/GetConversationList", no_nonce))
    assert _five_hundred(_post(signed_in, f"{API}/GetConversationList", _list_body("0" * 32)))
    assert _five_hundred(_post(signed_in, f"{API}/GetConversationList", _list_body(nonce), token=""))
    assert _five_hundred(_post(signed_in, f"{API}/GetFoldersList", {}))


def test_folders_count_threads(signed_in: PortalDriver) -> None:
    folders = _post(signed_in, f"{API}/GetFoldersList", {"PageNonce": _nonce(signed_in)}).json()
    counts = {f["tag"]: f["totalCount"] for f in folders}
    assert set(counts) == {1, 2, 3, 6, 7} and sum(counts.values()) == 12 and counts[6] == 1


def test_cursor_paging_reaches_every_thread_of_the_large_patient_once() -> None:
    center = generate_patient(seed=3, size="large").message_center
    inbox = [t["conversation"]["hthId"] for t in center["threads"] if t["folder"] == 1]
    seen: list[str] = []
    cursor = ""
    while True:
        page = conversation_page(center, tag=1, cursor=cursor, search="")
        assert len(page["conversations"]) <= 50
        seen += [c["hthId"] for c in page["conversations"]]
        if not page["localSummary"]["hasMoreConversations"]:
            break
        cursor = page["localSummary"]["oldestSearchedInstantISO"]
    assert seen == inbox
    assert sum(len(t["conversation"]["messages"]) for t in center["threads"]) >= 500


def test_search_applies_within_the_page_only() -> None:
    center = generate_patient(seed=3, size="large").message_center
    first = conversation_page(center, tag=1, cursor="", search="zzz-no-such-text")
    assert first["conversations"] == [] and first["localSummary"]["hasMoreConversations"] is True
    assert first["localSummary"]["oldestSearchedInstantISO"] != ""  # the cursor still advances


def test_small_patient_carries_an_injection_attempt_and_an_attachment() -> None:
    center = generate_patient(seed=1).message_center
    bodies = [m["body"] for t in center["threads"] for m in t["conversation"]["messages"]]
    assert any("<script>" in b and "Ignore previous instructions" in b for b in bodies)
    assert len(center["documents"]) == 1 and len(center["threads"]) == 12


def _draft(driver: PortalDriver) -> dict[str, Any]:
    """A draft the portal saves: the first recipient in its five browser keys, the viewer, a fresh compose id."""
    advice = "/mychartcn/api/medicaladvicerequests"
    [self_viewer] = _post(driver, f"{advice}/GetViewers", {"organizationId": ""}).json()["viewers"]
    recipient = _post(driver, f"{advice}/GetMedicalAdviceRequestRecipients", {}).json()[0]
    return {
        "recipient": {k: recipient[k] for k in ("displayName", "userId", "poolId", "providerId", "departmentId")},
        "topic": {"title": "Medication", "value": "98"},
        "conversationId": "",
        "organizationId": "",
        "viewers": [{"wprId": self_viewer["wprId"]}],
        "messageBody": ["A line."],
        "messageSubject": "A subject",
        "documentIds": [],
        "includeOtherViewers": False,
        "composeId": _post(driver, f"{API}/GetComposeId", {}).json(),
    }


@pytest.mark.parametrize(
    "malformed",
    [
        lambda draft: {**draft, "viewers": [draft["viewers"][0]["wprId"]]},
        lambda draft: {**draft, "recipient": {**draft["recipient"], "userId": [draft["recipient"]["userId"]]}},
        lambda draft: {**draft, "composeId": [draft["composeId"]]},
    ],
    ids=["viewer-not-an-object", "recipient-user-id-a-list", "compose-id-a-list"],
)
def test_a_malformed_draft_answers_error_2_like_other_malformed_drafts(
    signed_in: PortalDriver, malformed: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    save = "/mychartcn/api/medicaladvicerequests/SaveMedicalAdviceRequestDraft"
    draft = _draft(signed_in)
    refused = _post(signed_in, save, malformed(draft))
    assert (refused.status_code, refused.json()) == (200, {"error": 2})
    saved = _post(signed_in, save, draft)  # the same draft, well-formed
    assert saved.status_code == 200 and saved.json()["error"] == 0
