"""Every supported parameter x modifier x prefix (plus composites, chains, ``_has``) against the independent
oracle, on the ``small`` patient whole and on a fixed-seed sample of the ``large`` one.

Cases come from ``oracle_cases`` (the table names what to try, the oracle decides what matches). A case's
answer must equal the oracle's ids; on ``large`` a result may exceed a page, so the exact ``total`` is
compared and the page must hold only expected ids (all of them when they fit).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from tests.facade.oracle_cases import Case, counts, generate_cases
from tests.facade.oracle_store import seed_store

TOKEN = "oracle-token"
LARGE_CASES = 400
PAGE = 500


@pytest.fixture(scope="module", params=["small", "large"])
def record(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, TestClient, list[Case]]]:
    size: str = request.param
    store, data = seed_store(Path(tmp_path_factory.mktemp(size)) / "store.db", size)
    cases = generate_cases(data)
    if size == "large":  # every case of the rarer kinds (chains, _has, composites, ...), a sample of the rest
        kinds = counts(cases)
        rare = [c for c in cases if kinds[c.kind] <= 40]
        common = [c for c in cases if kinds[c.kind] > 40]
        cases = rare + random.Random(16).sample(common, min(LARGE_CASES - len(rare), len(common)))
    app = create_facade_app(store, FacadeSettings(token=TOKEN))
    with TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield size, client, cases
    store.close()


def _answer(client: TestClient, case: Case) -> tuple[int, set[str], int | None, str]:
    query = f"{quote(case.key, safe=':._')}={quote(case.raw, safe='')}&_count={PAGE}&_total=accurate"
    response = client.get(f"/fhir/{case.resource_type}?{query}")
    if response.status_code != 200:
        return response.status_code, set(), None, response.text[:200]
    bundle = response.json()
    found = {e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"}
    return 200, found, bundle.get("total"), ""


def test_every_generated_case_matches_the_oracle(record: tuple[str, TestClient, list[Case]]) -> None:
    size, client, cases = record
    failures: list[str] = []
    for case in cases:
        status, found, total, error = _answer(client, case)
        expected = set(case.oracle())
        exact = found == expected if len(expected) <= PAGE else found <= expected and len(found) == PAGE
        if status != 200 or total != len(expected) or not exact:
            failures.append(
                f"{case.resource_type}?{case.key}={case.raw}: {status} {error} expected {len(expected)}"
                f" got total={total} missing={sorted(expected - found)[:3]} extra={sorted(found - expected)[:3]}"
            )
    assert not failures, f"{len(failures)} of {len(cases)} {size} cases differ:\n" + "\n".join(failures[:15])


def test_cases_cover_every_parameter_type_and_many_match(record: tuple[str, TestClient, list[Case]]) -> None:
    _, _, cases = record
    kinds = counts(cases)
    assert {"token", "string", "date", "reference", "quantity", "uri", "composite", "chain", "_has"} <= set(kinds)
    assert sum(1 for c in cases if c.oracle()) > len(cases) / 3, kinds
