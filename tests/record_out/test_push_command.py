"""`fhirgate push URL` into a FHIR server this project did not write (Medplum's router over its in-memory
repository, run by Node on loopback): everything created once with references resolved on the server,
a second push changes nothing, a stopped push resumes without duplicates, refusals are one line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from fhirgate.record_out.collect import collect
from fhirgate.record_out.parts import KaiserPart
from fhirgate.record_out.push_bundle import FHIRGATE_ID_SYSTEM
from fhirgate.record_out.push_client import TransactionClient
from fhirgate.record_out.push_state import PushState
from fhirgate.record_out.pushing import RecordPusher
from fhirgate.record_out.sinks import RecordList
from tests.home_modes import loose_paths
from tests.push_server.medplum_server import medplum_server
from tests.record_out.quiet_progress import Quiet
from tests.record_out.two_sources import PRACTICE, TwoSourceHome

TOKEN = "push-token-7c1e"


def _all(base: str, resource_type: str, token: str = TOKEN) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    bundle = httpx2.get(f"{base}/{resource_type}?_count=1000", headers=headers, timeout=30).json()
    return [entry["resource"] for entry in bundle.get("entry", [])]


def _summary_line(stderr: str) -> str:
    return " ".join(stderr.split())


@pytest.fixture(scope="module")
def medplum() -> Iterator[str]:
    with medplum_server(TOKEN) as base:
        yield base


def test_first_push_creates_the_record_with_resolved_references_and_a_second_changes_nothing(
    two_sources: TwoSourceHome, medplum: str
) -> None:
    first = two_sources.run("push", medplum, "--token", TOKEN, "--batch-size", "40")
    assert first.returncode == 0, first.stderr
    kaiser_total = sum(two_sources.kaiser.counts.values())
    patients = _all(medplum, "Patient")
    assert len(patients) == 2  # Kaiser's and the practice's
    marks = {i["value"] for p in patients for i in p["identifier"] if i["system"] == FHIRGATE_ID_SYSTEM}
    assert any(v.startswith(f"{PRACTICE}.") for v in marks) and len(marks) == 2
    observations = _all(medplum, "Observation")
    assert (
        sum(1 for o in observations if o["meta"]["source"].startswith("urn:fhirgate:kaiser:"))
        == (two_sources.kaiser.counts["Observation"])
    )
    server_patients = {f"Patient/{p['id']}" for p in patients}
    assert {o["subject"]["reference"] for o in observations} <= server_patients
    assert len(_all(medplum, "Binary")) == two_sources.kaiser.counts["Binary"]
    said = re.search(
        r"(\d+) created, 0 updated, 0 unchanged, 0 failed \((\d+) transactions\)", _summary_line(first.stderr)
    )
    assert said is not None and int(said.group(1)) > kaiser_total and int(said.group(2)) > 1
    assert TOKEN not in first.stderr + first.stdout

    second = two_sources.run("push", medplum, "--token", TOKEN)
    assert second.returncode == 0, second.stderr
    assert f"0 created, 0 updated, {said.group(1)} unchanged, 0 failed (0 transactions)" in _summary_line(second.stderr)
    assert len(_all(medplum, "Observation")) == len(observations)
    assert (two_sources.home / "push.sqlite3").is_file()
    assert loose_paths(two_sources.home) == []


def test_a_refused_push_is_one_line_with_the_servers_outcome(two_sources: TwoSourceHome, medplum: str) -> None:
    refused = two_sources.run("push", medplum, "--token", "wrong-token", "--source", "kaiser", "--full")
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stderr and "bearer token is required" in refused.stderr
    assert "run the same command again" in refused.stderr
    plain = two_sources.run("push", "http://fhir.example.org/fhir")
    assert plain.returncode == 1 and "use https" in plain.stderr


class StopsAfter(httpx2.AsyncBaseTransport):
    """Real HTTP for the first ``allowed`` requests, then the connection drops (a push stopped half-way)."""

    def __init__(self, allowed: int) -> None:
        self._inner = httpx2.AsyncHTTPTransport()
        self.allowed = allowed

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self.allowed <= 0:
            raise httpx2.ConnectError("connection lost")
        self.allowed -= 1
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _no_wait(seconds: float) -> None:
    return None


async def test_a_push_stopped_half_way_resumes_without_duplicates(two_sources: TwoSourceHome) -> None:
    record = RecordList()
    await collect([KaiserPart(two_sources.kaiser.store)], record, Quiet())
    with medplum_server() as base:
        state = PushState(two_sources.home / "resume-push.sqlite3", base)
        stopping = TransactionClient(base, transport=StopsAfter(2), sleep=_no_wait)
        try:
            stopped = await RecordPusher(stopping, state, Quiet(), batch_size=30).push(record.items)
        finally:
            await stopping.aclose()
        done_first = sum(c.created for c in stopped.by_type.values())
        assert 0 < done_first < len(record.items) and stopped.failed == len(record.items) - done_first
        assert "could not reach" in stopped.failures[0]

        client = TransactionClient(base)
        try:
            resumed = await RecordPusher(client, state, Quiet(), batch_size=30).push(record.items)
        finally:
            await client.aclose()
            state.close()
        assert sum(c.unchanged for c in resumed.by_type.values()) == done_first
        assert sum(c.created for c in resumed.by_type.values()) == len(record.items) - done_first
        assert resumed.failed == 0
        on_server = Counter(
            resource_type for resource_type in two_sources.kaiser.counts for _ in _all(base, resource_type, "")
        )
        assert on_server == two_sources.kaiser.counts
