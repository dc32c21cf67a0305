"""`$refill` and `$send` as FHIR operations on the facade: preview, commit, refusals, OperationOutcomes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gateway.facade import FacadeSettings, create_facade_app
from gateway.kaiser.errors import KaiserError, LoginRequired, PortalUnavailable
from gateway.kaiser.portal_client import PortalClient
from gateway.search import parse_search
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.fhir_routes import WRITE_OPERATIONS, write_extension
from gateway.writes.operations import WriteOperations
from tests.writes.conftest import SignedInPortal
from translators.medications import translate_rx_details
from translators.types import TranslationContext

TOKEN = "facade-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _facade(portal: SignedInPortal, tmp_path: Path) -> tuple[httpx2.AsyncClient, SqliteStore]:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    translated = translate_rx_details(portal.config.patient.rx_details, TranslationContext(patient_id="p1"))
    store.write_surface("medications", translated.resources, now=datetime(2026, 11, 23, tzinfo=UTC))

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        yield portal.client

    ops = WriteOperations(clients, ConfirmationGuard(b"r" * 32, tmp_path / "used"), AuditLog(tmp_path / "audit.log"))
    app = create_facade_app(store, FacadeSettings(token=TOKEN, extensions=(write_extension(store, ops),)))
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1"), store


def _mailable_request_id(portal: SignedInPortal, store: SqliteStore) -> str:
    mailable = {
        str(rx["afcInfo"]["rxnbr"])
        for rx in portal.config.patient.rx_details["prescriptions"]["fillable"]
        if rx["mailable"] == "true" and int(rx["refillsRemaining"]) > 0
    }
    bundle = store_search(store)
    for resource in bundle:
        if any(i["value"] in mailable for i in resource.get("identifier", [])):
            return str(resource["id"])
    raise AssertionError("no mailable MedicationRequest stored")


def store_search(store: SqliteStore) -> list[dict[str, Any]]:
    page = store.search(parse_search("MedicationRequest", [("_count", "100")]))
    return [json.loads(entry.json_text) for entry in page.entries]


def _params(**values: str) -> dict[str, Any]:
    return {"resourceType": "Parameters", "parameter": [{"name": k, "valueString": v} for k, v in values.items()]}


def _value(parameters: dict[str, Any], name: str) -> Any:
    for parameter in parameters["parameter"]:
        if parameter["name"] == name:
            return next(v for k, v in parameter.items() if k.startswith("value"))
    return None


async def test_refill_preview_then_commit_through_the_facade(portal: SignedInPortal, tmp_path: Path) -> None:
    http, store = _facade(portal, tmp_path)
    async with http:
        rid = _mailable_request_id(portal, store)
        url = f"/fhir/MedicationRequest/{rid}/$refill"
        preview = await http.post(url, json=_params(delivery="mail"), headers=AUTH)
        assert preview.status_code == 200, preview.text
        assert _value(preview.json(), "status") == "preview"
        token = _value(preview.json(), "confirmationToken")
        assert token and portal.config.writes.placed_orders == []

        committed = await http.post(url, json=_params(delivery="mail", confirm=token), headers=AUTH)
        assert committed.status_code == 200 and _value(committed.json(), "status") == "committed"
        assert _value(committed.json(), "reference") == portal.config.writes.placed_orders[0]["orderNumber"]

        replay = await http.post(url, json=_params(delivery="mail", confirm=token), headers=AUTH)
        assert replay.status_code == 409 and replay.json()["resourceType"] == "OperationOutcome"
        assert len(portal.config.writes.placed_orders) == 1

        metadata = (await http.get("/fhir/metadata")).json()
        med = next(r for r in metadata["rest"][0]["resource"] if r["type"] == "MedicationRequest")
        assert {"name": "refill", "definition": WRITE_OPERATIONS["MedicationRequest"][0]["definition"]} in med[
            "operation"
        ]
    store.close()


async def test_write_operations_need_the_token_and_valid_input(portal: SignedInPortal, tmp_path: Path) -> None:
    http, store = _facade(portal, tmp_path)
    async with http:
        assert (await http.post("/fhir/Communication/$send", json=_params(recipient="x"))).status_code == 401
        missing = await http.post("/fhir/Communication/$send", json=_params(recipient="x"), headers=AUTH)
        assert missing.status_code == 400 and "subject" in missing.json()["issue"][0]["diagnostics"]
        unknown = await http.post("/fhir/MedicationRequest/nope/$refill", json=_params(), headers=AUTH)
        assert unknown.status_code == 404
        pickup = await http.post("/fhir/MedicationRequest/nope/$refill", json=_params(delivery="pickup"), headers=AUTH)
        assert pickup.status_code == 422
        not_json = await http.post("/fhir/Communication/$send", content=b"<xml/>", headers=AUTH)
        assert not_json.status_code == 400
        codes = [_issue_code(r) for r in (missing, unknown, pickup, not_json)]
        assert codes == ["required", "not-found", "not-supported", "invalid"]
    store.close()


def _issue_code(response: httpx2.Response) -> str:
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    return str(body["issue"][0]["code"])


@pytest.mark.parametrize(
    ("failure", "status", "code"),
    [
        (LoginRequired("the session ended"), 401, "login"),
        (PortalUnavailable("portal down"), 502, "exception"),
    ],
)
async def test_a_portal_failure_is_answered_by_the_facade_s_one_error_boundary(
    tmp_path: Path, failure: KaiserError, status: int, code: str
) -> None:
    store = SqliteStore.open(tmp_path / "store.sqlite3")

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        raise failure
        yield  # pragma: no cover - an async generator that fails before yielding

    ops = WriteOperations(clients, ConfirmationGuard(b"f" * 32, tmp_path / "used"), AuditLog(tmp_path / "audit.log"))
    app = create_facade_app(store, FacadeSettings(token=TOKEN, extensions=(write_extension(store, ops),)))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1") as http:
        answer = await http.post("/fhir/Communication/$send-options", json=_params(), headers=AUTH)
    assert answer.status_code == status and _issue_code(answer) == code
    assert str(failure) in answer.json()["issue"][0]["diagnostics"]
    assert "www-authenticate" not in answer.headers  # the facade's bearer was fine: it is Kaiser that refused
    store.close()


async def test_send_message_with_a_token_for_other_text_is_refused(portal: SignedInPortal, tmp_path: Path) -> None:
    http, store = _facade(portal, tmp_path)
    draft = {"recipient": "ALEX SAMPLE MD", "topic": "101", "subject": "Hello", "text": "Original text"}
    async with http:
        preview = await http.post("/fhir/Communication/$send", json=_params(**draft), headers=AUTH)
        token = _value(preview.json(), "confirmationToken")
        changed = draft | {"text": "Different text", "confirm": token}
        refused = await http.post("/fhir/Communication/$send", json=_params(**changed), headers=AUTH)
        assert refused.status_code == 409 and portal.config.writes.sent_messages == []
        sent = await http.post("/fhir/Communication/$send", json=_params(**draft, confirm=token), headers=AUTH)
        assert sent.status_code == 200 and len(portal.config.writes.sent_messages) == 1
    store.close()


async def test_a_committed_refill_is_tracked_as_a_task_after_the_next_sync(
    portal: SignedInPortal, tmp_path: Path
) -> None:
    http, store = _facade(portal, tmp_path)
    async with http:
        rid = _mailable_request_id(portal, store)
        url = f"/fhir/MedicationRequest/{rid}/$refill"
        token = _value((await http.post(url, json=_params(delivery="mail"), headers=AUTH)).json(), "confirmationToken")
        committed = (await http.post(url, json=_params(delivery="mail", confirm=token), headers=AUTH)).json()
        tracking = _value(committed, "tracking")["reference"]
        assert (await http.get(f"/fhir/{tracking}", headers=AUTH)).status_code == 404  # not synced yet

        report = await SyncEngine(portal.client, store, clock=lambda: datetime.now(UTC)).run(["medications"])
        assert report.ok, report

        task = (await http.get(f"/fhir/{tracking}", headers=AUTH)).json()
        assert task["status"] == "in-progress"
        assert task["identifier"][0]["value"] == _value(committed, "reference")
        dispenses = [
            (await http.get(f"/fhir/{output['valueReference']['reference']}", headers=AUTH)).json()
            for output in task["output"]
        ]
        assert [d["authorizingPrescription"][0]["reference"] for d in dispenses] == [f"MedicationRequest/{rid}"]
        assert dispenses[0]["status"] == "preparation"
        found = (await http.get(f"/fhir/Task?based-on=MedicationRequest/{rid}&status=in-progress", headers=AUTH)).json()
        assert tracking in [entry["fullUrl"].split("/fhir/")[-1] for entry in found["entry"]]
    store.close()
