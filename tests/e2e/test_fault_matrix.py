"""The fault matrix: every sandbox fault switch, what the user sees, and that stored data survives.

Each case syncs cleanly first, flips one switch, syncs again (``full`` so every request is made), and
compares the store with the clean sync's: nothing lost, nothing duplicated. Runs in-process
(httpx2.ASGITransport); the sign-in and re-login go through the sandbox's real forms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from gateway.writes.errors import WriteChainError
from gateway.writes.message import MessageChain, MessageDraft
from sandbox.portal.fault_spec import parse_faults
from tests.sync.portal_harness import Portal, make_portal, open_orders, open_store, pdf_requests

LIST_CALLS = 7  # profile (user + care-team CSRF + Load) + test results (CSRF + GetList) + rxDetails + orderStatus


def _snapshot(store: SqliteStore) -> dict[str, str]:
    conn = store._connections.pin()  # test-only peek at the whole table
    rows = conn.execute("SELECT resource_type, id, json FROM resources WHERE resource_type != 'Provenance'")
    return {f"{r[0]}/{r[1]}": r[2] for r in rows}


async def _clean(tmp_path: Path) -> tuple[Portal, SqliteStore, dict[str, str]]:
    portal = make_portal()
    store = open_store(tmp_path)
    await portal.settle(store)
    return portal, store, _snapshot(store)


@dataclass(frozen=True)
class Recovers:
    spec: str
    relogins: int = 0


RECOVERING = [
    Recovers("expire-after=5", relogins=1),
    Recovers("expire-after=5,expiry=sign-in", relogins=1),
    Recovers("expire-after=5,expiry=html", relogins=1),
    Recovers("expire-after=5,expiry=401", relogins=1),
    Recovers("expire-after=5,expiry=403", relogins=1),
    Recovers("429-every=4,retry-after=2"),
    Recovers("burst=503:3,burst-path=GetDetails"),
    Recovers("burst=502:2,burst-path=test-results"),  # not /mycare, where 502 means a broken contract
    Recovers("burst=500:1,burst-path=rxDetails"),
    Recovers("latency=0.01"),
]


@pytest.mark.parametrize("case", RECOVERING, ids=[case.spec for case in RECOVERING])
async def test_fault_is_absorbed_and_the_store_matches_a_clean_sync(case: Recovers, tmp_path: Path) -> None:
    portal, store, clean = await _clean(tmp_path)
    async with await portal.client() as client:
        portal.config.faults = parse_faults(case.spec)
        report = await portal.sync_with(client, store, full=True)
        assert client.relogins == case.relogins
    assert report.ok, report.surfaces
    assert not any(r.problems for r in report.surfaces)
    assert _snapshot(store) == clean


@dataclass(frozen=True)
class Fails:
    spec: str
    surface: str
    message: str


FAILING = [
    Fails("burst=503:20,burst-path=GetList", "test-results", "HTTP 503 after 3 retries; try again later"),
    Fails("truncate=GetList", "test-results", "unparseable JSON"),
    Fails("drift=GetList:newResults:newResultz", "test-results", "no newResults object"),
    Fails("drift=rxDetails:executionContext", "medications", "executionContext"),
    Fails("error=GetList:2", "test-results", "failure code error=2"),
    Fails("error=rxDetails:2", "medications", "failure code error=2"),
]


@pytest.mark.parametrize("case", FAILING, ids=[case.spec for case in FAILING])
async def test_fault_fails_one_surface_and_keeps_its_earlier_data(case: Fails, tmp_path: Path) -> None:
    portal, store, clean = await _clean(tmp_path)
    portal.config.faults = parse_faults(case.spec)
    report, _ = await portal.sync(store, full=True)
    by_name = {r.surface: r for r in report.surfaces}
    error = by_name[case.surface].error
    assert error is not None and case.message in error
    assert by_name["profile"].ok
    assert _snapshot(store) == clean
    assert {s.surface: s for s in store.surface_states()}[case.surface].failing


async def test_truncated_details_skip_those_results_and_report_them(tmp_path: Path) -> None:
    portal, store, clean = await _clean(tmp_path)
    portal.config.faults = parse_faults("truncate=GetDetails")
    report, _ = await portal.sync(store, full=True)
    results = {r.surface: r for r in report.surfaces}["test-results"]
    assert results.ok
    assert results.failed == len(portal.patient.lab_orders)
    assert all("skipped: unparseable JSON" in problem for problem in results.problems)
    assert _snapshot(store) == clean
    portal.config.faults = parse_faults("")
    _, requests = await portal.sync(store)
    orders = portal.patient.lab_orders
    # the skipped results are read again, with their PDFs
    pdfs = pdf_requests(portal, orders, first_asked=False)
    assert requests == LIST_CALLS + 1 + len(orders) + pdfs + open_orders(portal)


async def test_schema_drift_in_details_is_reported_not_silently_stored(tmp_path: Path) -> None:
    portal, store, _ = await _clean(tmp_path)
    portal.config.faults = parse_faults("drift=GetDetails:results")
    report, _ = await portal.sync(store, full=True)
    results = {r.surface: r for r in report.surfaces}["test-results"]
    assert any("results" in problem for problem in results.problems)


async def test_dead_session_that_silent_login_cannot_revive_asks_the_user_to_sign_in(tmp_path: Path) -> None:
    portal, store, clean = await _clean(tmp_path)
    portal.config.faults = parse_faults("expire-after=3")
    portal.fail_relogin = True
    report, _ = await portal.sync(store, full=True)
    assert report.login_required is not None
    assert "fhirgate login kaiser" in report.login_required
    assert report.surfaces[-1].login_required
    assert _snapshot(store) == clean


async def test_every_session_dead_fails_after_one_relogin(tmp_path: Path) -> None:
    portal, store, clean = await _clean(tmp_path)
    logins_before = portal.logins
    async with await portal.client() as client:
        portal.config.faults = parse_faults("expire-all")
        report = await portal.sync_with(client, store, full=True)
    assert report.login_required is not None and "fhirgate login kaiser" in report.login_required
    assert portal.logins == logins_before + 2  # the sync's own sign-in + exactly one re-login
    assert _snapshot(store) == clean


@pytest.mark.parametrize("after", [15, 60, 110])
async def test_expiry_anywhere_in_a_sync_of_every_surface_is_absorbed(after: int, tmp_path: Path) -> None:
    portal = make_portal()
    clean_store = open_store(tmp_path, "clean.sqlite3")
    async with await portal.client() as client:
        engine = SyncEngine(client, clean_store, clock=portal.clock)
        assert (await engine.run()).ok
        assert (await engine.run(["test-results"])).ok  # the result PDFs that were still generating
    store = open_store(tmp_path)
    async with await portal.client() as client:
        portal.config.faults = parse_faults(f"expire-after={after}")
        report = await SyncEngine(client, store, clock=portal.clock).run()
        assert client.relogins == 1
    assert report.ok, [(r.surface, r.error) for r in report.surfaces if not r.ok]
    assert _content(store) == _content(clean_store)


def _content(store: SqliteStore) -> dict[str, object]:
    """Stored resources without the store's own ``meta.versionId``/``lastUpdated`` (other stores, other times)."""
    content: dict[str, object] = {}
    for reference, text in _snapshot(store).items():
        resource = json.loads(text)
        resource["meta"] = {k: v for k, v in resource.get("meta", {}).items() if k not in ("versionId", "lastUpdated")}
        content[reference] = resource
    return content


async def test_write_chain_failing_halfway_is_reported_and_sends_nothing() -> None:
    portal = make_portal()
    portal.config.faults = parse_faults("write-fail=SendMedicalAdviceRequest")
    draft = MessageDraft(recipient="alex sample md", topic="Medication", subject="Refill question", text="Hello.")
    async with await portal.client() as client:
        with pytest.raises(WriteChainError) as failure:
            await MessageChain(client).commit(draft)
    assert failure.value.step == "SendMedicalAdviceRequest"
    assert portal.config.writes.sent_messages == [] and portal.config.writes.compose_ids == set()
