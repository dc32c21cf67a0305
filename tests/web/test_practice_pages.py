"""Practices as a source of the pages, in-process with an in-memory ``PracticeReader`` (the composition
root's reader is driven against the sandbox EHR in the live-pages browser test): their state on the
Overview with the reconnect command, their facts in the labs (units reconciled with Kaiser's), tables and
timeline marked with the practice's name, a failing practice as one line that never breaks a page, and
each answer kept briefly."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.store import SqliteStore
from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.web.practice_reading import PracticeState, PracticeUnreadable
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions

LAB = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}


def glucose(ident: str, day: str, value: float, unit: str, source: str | None = None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": [LAB],
        "code": {"text": "Glucose", "coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": f"{day}T08:00:00Z",
        "valueQuantity": {"value": value, "unit": unit},
    }
    if source:
        resource["meta"] = {"source": source}
    return resource


PRACTICE_RECORD: dict[str, list[dict[str, Any]]] = {
    "Observation": [glucose("p-glu-1", "2026-03-12", 1.04, "g/L")],
    "Condition": [
        {
            "resourceType": "Condition",
            "id": "p-cond-1",
            "code": {"text": "Prediabetes"},
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "subject": {"reference": "Patient/p1"},
            "recordedDate": "2026-03-12",
        }
    ],
    "Encounter": [
        {
            "resourceType": "Encounter",
            "id": "p-enc-1",
            "status": "finished",
            "type": [{"text": "Annual physical"}],
            "subject": {"reference": "Patient/p1"},
            "period": {"start": "2026-03-12T09:00:00Z"},
        }
    ],
}


@dataclass
class PracticesInMemory:
    """A ``PracticeReader`` twin: ``dr-sample`` answers from ``PRACTICE_RECORD``, ``dr-down`` fails."""

    searches: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> Sequence[str]:
        return ["dr-sample", "dr-down"]

    def states(self) -> list[PracticeState]:
        expires = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
        return [
            PracticeState("dr-sample", "connected", expires, True, ""),
            PracticeState("dr-down", "reconnect needed", None, False, "Reconnect: run fhirgate connect dr-down URL"),
        ]

    async def search(self, name: str, resource_type: str, params: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        self.searches.append((name, resource_type))
        if name == "dr-down":
            raise PracticeUnreadable("TokenEndpointError: the practice refused the refresh token\nsecond line")
        return [dict(r) for r in PRACTICE_RECORD.get(resource_type, [])]

    async def read(self, name: str, resource_type: str, resource_id: str) -> dict[str, Any] | None:
        found = [r for r in PRACTICE_RECORD.get(resource_type, []) if r["id"] == resource_id]
        return found[0] if name == "dr-sample" and found else None


@pytest.fixture(scope="module")
def practices() -> PracticesInMemory:
    return PracticesInMemory()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, practices: PracticesInMemory) -> Iterator[TestClient]:
    home: Path = tmp_path_factory.mktemp("practice-pages")
    store = SqliteStore.open(home / "store.sqlite3")
    kaiser = "urn:fhirgate:kaiser:test-results"
    store.write_surface(
        "test-results",
        [glucose("k-glu-1", "2025-11-02", 96, "mg/dL", kaiser), glucose("k-glu-2", "2026-09-01", 99, "mg/dL", kaiser)],
        now=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
    )
    kaiser_visit = {**PRACTICE_RECORD["Encounter"][0], "id": "k-enc-1", "type": [{"text": "Video visit"}]}
    kaiser_visit["meta"] = {"source": "urn:fhirgate:kaiser:visits"}
    store.write_surface("visits", [kaiser_visit], now=datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    sessions = WebSessions(home / "web.sqlite3")
    decisions = ApprovalDecisions(ApprovalStore(home / "approvals.sqlite3"), AuditLog(home / "audit.log"))
    app = create_web_app(
        WebSettings(port=8799), sessions=sessions, approvals=decisions, record=store, practices=practices
    )
    with TestClient(app, base_url="http://127.0.0.1:8799") as signed_in:
        signed_in.get(f"/login?token={sessions.new_login_link_token()}")
        yield signed_in
    store.close()


def test_the_overview_shows_each_practice_with_its_token_and_the_reconnect_command(client: TestClient) -> None:
    page = client.get("/overview").text
    assert "dr-sample" in page and "expires 2026-12-01 10:30 UTC" in page and "(renewed automatically)" in page
    assert "reconnect needed" in page and "Reconnect: run fhirgate connect dr-down URL" in page


def test_labs_chart_kaiser_and_practice_results_in_one_unit(client: TestClient) -> None:
    answer = client.get("/labs")
    assert answer.status_code == 200
    page = answer.text
    assert page.count('class="analyte"') == 1  # one analyte, though the sources write different units
    assert "From Kaiser and dr-sample, charted in mg/dL." in page
    assert "1.04 g/L" in page  # the practice's value as written, in its row
    assert "dr-sample (read live)" in page and 'href="/practice/dr-sample/Observation/p-glu-1"' in page
    assert 'aria-label="Trend of Glucose (mg/dL), 3 results"' in page  # 96, 104 (from 1.04 g/L), 99


def test_a_failing_practice_is_one_line_and_the_page_still_shows_the_rest(client: TestClient) -> None:
    page = client.get("/record/problems").text
    assert "Prediabetes" in page and "dr-sample (read live)" in page
    assert "dr-down (Condition): TokenEndpointError: the practice refused the refresh token" in page
    assert "second line" not in page


def test_the_timeline_lists_practice_entries_with_a_source_filter(client: TestClient) -> None:
    both = client.get("/timeline?type=visit").text
    assert "Annual physical" in both and "Video visit" in both
    page = client.get("/timeline?type=visit&source=dr-sample").text
    assert "Annual physical" in page and 'href="/practice/dr-sample/Encounter/p-enc-1"' in page
    assert "<option selected>dr-sample</option>" in page and "Video visit" not in page


def test_a_practice_resource_json_is_read_live(client: TestClient) -> None:
    answer = client.get("/practice/dr-sample/Condition/p-cond-1")
    assert answer.status_code == 200 and "Prediabetes" in answer.text and "answered just now" in answer.text
    assert client.get("/practice/dr-sample/Condition/nope").status_code == 404
    assert client.get("/practice/dr-elsewhere/Condition/p-cond-1").status_code == 404


def test_a_practice_answer_is_kept_briefly_not_asked_again_per_page(
    client: TestClient, practices: PracticesInMemory
) -> None:
    client.get("/labs")
    before = len(practices.searches)
    client.get("/labs?page=1")
    assert len(practices.searches) == before
