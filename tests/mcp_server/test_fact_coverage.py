"""No fact lost, for every row tool and every resource type (issue 15): on the sandbox's small patient as a
sync stores it and on the demo practice's record, each fact of each row's resource is shown by the row or
returned by the one follow-up call the answer names. The tools come from `tools/list`, the facts from the
stored resources (tests/benchmarks/record_facts.py); `make bench` runs the same on the large patient."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from mcp import Client

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from mcp_server import RecordSource, SourceRegistry, build_server
from tests.benchmarks.bench_mcp_facts import PRACTICE, practice_store, stored_resources
from tests.benchmarks.fact_coverage import Tally, measure_fact_coverage, row_tools
from tests.benchmarks.record_facts import Fact, returned_by, shown_in
from tests.sync.portal_harness import make_portal


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stores(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Path]]:
    folder = Path(tmp_path_factory.mktemp("fact-coverage"))
    kaiser = SqliteStore.open(folder / "kaiser.sqlite3")
    portal = make_portal(seed=1)
    for _ in range(2):  # the second sync fetches the result PDFs the first found still generating
        async with await portal.client() as client:
            assert (await SyncEngine(client, kaiser, clock=portal.clock).run(None)).ok
    kaiser.close()
    practice_store(folder / "practice.sqlite3").close()
    yield {"kaiser": folder / "kaiser.sqlite3", PRACTICE: folder / "practice.sqlite3"}


@asynccontextmanager
async def _client(stores: dict[str, Path]) -> AsyncIterator[Client]:
    opened = {name: SqliteStore.open(path) for name, path in stores.items()}
    registry = SourceRegistry(
        {
            name: RecordSource(name, in_process_kaiser_client(store), kind="kaiser" if name == "kaiser" else "practice")
            for name, store in opened.items()
        }
    )
    try:
        async with Client(build_server(registry)) as session:
            yield session
    finally:
        await registry.aclose()
        for store in opened.values():
            store.close()


def _failures(tallies: dict[tuple[str, str], Tally]) -> dict[str, list[str]]:
    return {f"{tool} {kind}": (t.missing or [])[:5] for (tool, kind), t in tallies.items() if t.coverage < 100}


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("source", ["kaiser", PRACTICE])
async def test_every_row_tool_keeps_every_fact_of_every_type(stores: dict[str, Path], source: str) -> None:
    resources = stored_resources(stores[source])
    async with _client(stores) as client:
        tallies = await measure_fact_coverage(client, source, resources)

    assert _failures(tallies) == {}
    searched = {kind for tool, kind in tallies if tool == "fhir_search"}
    assert searched == {ref.partition("/")[0] for ref in resources} - {"Binary"}
    assert sum(t.facts for t in tallies.values()) > 500
    assert sum(t.shown for t in tallies.values()) > 0 and sum(t.reachable for t in tallies.values()) > 0


@pytest.mark.asyncio(loop_scope="module")
async def test_row_tools_are_read_from_tools_list(stores: dict[str, Path]) -> None:
    async with _client(stores) as client:
        names = {tool.name for tool in await row_tools(client, "kaiser")}

    assert {"fhir_search", "fhir_everything", "search_observation", "list_care_team", "list_implants"} <= names
    assert not names & {"fhir_get", "read_message", "get_binary", "lab_trend", "search_text", "list_sources"}


def test_a_fact_counts_as_shown_only_with_its_value() -> None:
    taken = Fact("Observation.effectiveDateTime", "effectiveDateTime", "2024-03-01T08:30:00-08:00", True)
    potassium = Fact("Observation.valueQuantity.value", "value", 5.4, True)

    assert shown_in(taken, "Observation/k1 | 2024-03-01 08:30 | Potassium")
    assert not shown_in(taken, "Observation/k1 | 2024-03-01 | Potassium")
    assert shown_in(potassium, "Potassium | 5.4 mmol/L (H)")
    assert not shown_in(potassium, "Potassium | 5.45 mmol/L") and not shown_in(potassium, "15.4")


def test_a_fact_counts_as_reachable_only_when_the_follow_up_returns_the_element() -> None:
    line = Fact("Patient.address.line", "line", "1 Sample Way", True)
    code = Fact("Observation.code.coding.code", "code", "2823-3", True)

    assert returned_by(line, '{"address":[{"line":["Apt 2","1 Sample Way"],"city":"Oakland"}]}')
    assert returned_by(code, '{"coding":[{"system":"http://loinc.org","code":"2823-3"}]}')
    assert not returned_by(code, '{"coding":[{"code":"2823-30"}],"note":"2823-3"}')


@pytest.mark.asyncio(loop_scope="module")
async def test_a_resource_too_large_for_fhir_get_names_the_call_that_returns_all_of_it(tmp_path: Path) -> None:
    targets = [{"reference": f"Observation/{n:032x}"} for n in range(400)]
    sync = {
        "resourceType": "Provenance",
        "id": "sync1",
        "target": targets,
        "recorded": "2026-11-23T12:00:11Z",
        "agent": [{"type": {"text": "Assembler"}, "who": {"display": "fhirgate"}}],
    }
    store = SqliteStore.open(tmp_path / "kaiser.sqlite3")
    patient = {"resourceType": "Patient", "id": "p1", "name": [{"text": "Dana Reyes"}]}
    store.write_surface("test-results", [patient, sync], now=datetime(2026, 11, 23, 12, tzinfo=UTC))
    store.close()

    async with _client({"kaiser": tmp_path / "kaiser.sqlite3"}) as client:
        answer = await client.call_tool("fhir_search", {"source": "kaiser", "resource_type": "Provenance"})
        tallies = await measure_fact_coverage(client, "kaiser", stored_resources(tmp_path / "kaiser.sqlite3"))

    row = next(line for line in str(answer.content[0].text).splitlines() if line.startswith("Provenance/sync1 |"))
    assert "2026-11-23 12:00 | fhirgate (Assembler) | 400 targets |" in row
    assert 'all of it: fhir_search {"resource_type":"Provenance","params":{"_id":"sync1"},"format":"fhir"' in row
    assert _failures(tallies) == {} and tallies["fhir_search", "Provenance"].reachable >= 400
