"""``$everything`` says when it caps ``_count`` (an outcome entry), instead of silently paging by 500."""

from typing import Any

from starlette.testclient import TestClient

from gateway.search import MAX_COUNT
from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, T0
from tests.store.sample_resources import lab, patient


def _outcomes(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        issue
        for entry in bundle.get("entry", [])
        if entry["search"]["mode"] == "outcome"
        for issue in entry["resource"]["issue"]
    ]


def test_a_count_above_the_cap_is_served_at_the_cap_and_said_so(client: TestClient, store: SqliteStore) -> None:
    store.write_surface("profile", [patient()], now=T0)
    store.write_surface("labs", [lab(f"o{i}") for i in range(3)], now=T0)
    response = client.get(f"/fhir/Patient/p1/$everything?_count={MAX_COUNT + 500}", headers=AUTH)
    assert response.status_code == 200
    bundle = response.json()
    (issue,) = _outcomes(bundle)
    assert issue["severity"] == "warning"
    assert f"at most {MAX_COUNT} entries" in issue["diagnostics"]
    assert f"_count={MAX_COUNT + 500}" in issue["diagnostics"]
    assert f"_count={MAX_COUNT}" in next(link["url"] for link in bundle["link"] if link["relation"] == "self")


def test_a_count_within_the_cap_has_no_outcome(client: TestClient, store: SqliteStore) -> None:
    store.write_surface("profile", [patient()], now=T0)
    response = client.get(f"/fhir/Patient/p1/$everything?_count={MAX_COUNT}", headers=AUTH)
    assert _outcomes(response.json()) == []
