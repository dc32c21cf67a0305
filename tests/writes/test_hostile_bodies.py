"""Hostile bodies for the write operations get 400/413/422 OperationOutcomes, never a 500."""

from __future__ import annotations

from pathlib import Path

from gateway.facade import MAX_BODY_BYTES
from tests.writes.conftest import SignedInPortal
from tests.writes.test_fhir_routes import AUTH, _facade, _params

SEND = "/fhir/Communication/$send"
DRAFT = {"recipient": "ALEX SAMPLE MD", "topic": "101", "subject": "Hello", "text": "Original text"}


async def test_a_forged_non_ascii_signature_is_refused_and_audited(portal: SignedInPortal, tmp_path: Path) -> None:
    http, store = _facade(portal, tmp_path)
    async with http:
        forged = await http.post(SEND, json=_params(**DRAFT, confirm="eyJ4IjoxfQ.sïgnature"), headers=AUTH)
    store.close()
    assert forged.status_code == 422, forged.text
    assert forged.json()["resourceType"] == "OperationOutcome"
    assert portal.config.writes.sent_messages == []
    assert "malformed" in (tmp_path / "audit.log").read_text()


async def test_parameters_that_are_not_a_list_or_not_an_object_are_400(portal: SignedInPortal, tmp_path: Path) -> None:
    http, store = _facade(portal, tmp_path)
    bodies = [b'{"resourceType":"Parameters","parameter":5}', b"true", b'{"parameter":"abc"}']
    async with http:
        answers = [await http.post(SEND, content=body, headers=AUTH) for body in bodies]
    store.close()
    assert [a.status_code for a in answers] == [400, 400, 400], [a.text for a in answers]
    assert all(a.json()["issue"][0]["code"] == "invalid" for a in answers)


async def test_json_nested_100k_deep_is_400_and_a_huge_body_is_413(portal: SignedInPortal, tmp_path: Path) -> None:
    http, store = _facade(portal, tmp_path)
    async with http:
        deep = await http.post(SEND, content=b"[" * 100_000 + b"]" * 100_000, headers=AUTH)
        huge = await http.post(SEND, content=b" " * (MAX_BODY_BYTES + 1), headers=AUTH)
    store.close()
    assert deep.status_code == 400 and "deeper" in deep.json()["issue"][0]["diagnostics"]
    assert huge.status_code == 413 and huge.json()["issue"][0]["code"] == "too-long"
