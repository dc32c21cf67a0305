"""Token modifiers, ``:missing``, ``ap``, quantities, multi-key sort and the history table, against real SQLite."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.search import parse_search
from gateway.store import SqliteStore
from tests.store.conftest import T0
from tests.store.sample_resources import lab, patient


def _with_value(obs: dict[str, Any], value: float, code: str = "mg/dL") -> dict[str, Any]:
    obs["valueQuantity"] = {"value": value, "unit": code, "system": "http://unitsofmeasure.org", "code": code}
    return obs


def _text(obs: dict[str, Any], text: str) -> dict[str, Any]:
    obs["code"]["text"] = text
    return obs


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore.open(tmp_path_factory.mktemp("modifiers") / "store.db")
    now = datetime.now(UTC)
    recent = (now - timedelta(days=1)).strftime("%Y-%m-%d")
    store.write_surface(
        "labs",
        [
            _with_value(lab("a", effective="2024-01-01", code="2345-7"), 100),
            _with_value(lab("b", effective="2024-01-01", code="718-7"), 99.6),
            _with_value(lab("c", effective="2023-01-01", code="2345-7"), 5.4, "mmol/L"),
            lab("d", effective=recent, code="4548-4", category="vital-signs"),
            _text(lab("e", effective="2024-01-02", code="2345-7"), "Hemoglobin A1c"),
        ],
        now=T0,
    )
    store.write_surface(
        "profile", [patient("p1", "Zed", ("Ann",)), patient("p2", "Zed", ("Bea",)), patient("p3", "Abe")], now=T0
    )
    yield store
    store.close()


def _ids(store: SqliteStore, resource_type: str, query: list[tuple[str, str]], *, ordered: bool = False) -> list[str]:
    found = [s.id for s in store.search(parse_search(resource_type, query)).entries]
    return found if ordered else sorted(found)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ([("code:not", "2345-7")], "bd"),
        ([("code:not", "http://loinc.org|2345-7,718-7")], "d"),
        ([("category:not", "laboratory"), ("code", "4548-4")], "d"),
        ([("code:text", "gluc")], "abcd"),
        ([("code:text", "hemoglobin a1")], "e"),
        ([("code:text", "GLUCOSE")], "abcd"),
        ([("value-quantity", "100")], "ab"),
        ([("value-quantity", "100.0")], "a"),
        ([("value-quantity", "gt99.6")], "a"),
        ([("value-quantity", "ge99.6")], "ab"),
        ([("value-quantity", "lt10")], "c"),
        ([("value-quantity", "ne100")], "c"),
        ([("value-quantity", "5.4|http://unitsofmeasure.org|mmol/L")], "c"),
        ([("value-quantity", "5.4||mg/dL")], ""),
        ([("value-quantity", "ap95")], "ab"),
        ([("date", "ap2024-01-01")], "abe"),
        ([("date", f"ap{datetime.now(UTC).strftime('%Y-%m-%d')}")], "d"),
        ([("value-quantity:missing", "true")], "de"),
        ([("value-quantity:missing", "false")], "abc"),
        ([("value-quantity:missing", "false,true")], "abcde"),
        ([("value-quantity:missing", "true"), ("category:missing", "false")], "de"),
        ([("encounter:missing", "false")], ""),
    ],
)
def test_modifiers_quantities_and_approximation(
    seeded: SqliteStore, query: list[tuple[str, str]], expected: str
) -> None:
    assert _ids(seeded, "Observation", query) == list(expected)


def test_missing_works_on_every_plan(seeded: SqliteStore) -> None:
    sorted_walk = [("value-quantity:missing", "true"), ("_sort", "-date")]
    assert _ids(seeded, "Observation", sorted_walk, ordered=True) == ["d", "e"]
    driven = [("code", "2345-7"), ("value-quantity:missing", "true"), ("_sort", "date")]
    assert _ids(seeded, "Observation", driven, ordered=True) == ["e"]
    counted = seeded.search(parse_search("Observation", [("value-quantity:missing", "false"), ("_total", "accurate")]))
    assert counted.total == 3


def test_multi_key_sort_orders_by_each_key_in_turn(seeded: SqliteStore) -> None:
    assert _ids(seeded, "Patient", [("_sort", "family,-given")], ordered=True) == ["p3", "p2", "p1"]
    assert _ids(seeded, "Patient", [("_sort", "-family,given")], ordered=True) == ["p1", "p2", "p3"]
    walked: list[str] = []
    cursor: str | None = None
    while True:
        params = [("_sort", "-family,given"), ("_count", "1")] + ([("_cursor", cursor)] if cursor else [])
        page = seeded.search(parse_search("Patient", params))
        walked += [e.id for e in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert walked == ["p1", "p2", "p3"]


def test_history_keeps_every_version(tmp_path: Any) -> None:
    store = SqliteStore.open(tmp_path / "h.db")
    store.write_surface("profile", [patient()], now=T0)
    store.write_surface("profile", [patient()], now=T0 + timedelta(hours=1))
    store.write_surface("profile", [patient(family="Other")], now=T0 + timedelta(hours=2))
    assert [v.version_id for v in store.history("Patient", "p1")] == [2, 1]
    first = store.read_version("Patient", "p1", 1)
    assert first is not None and "Müller" in first.json_text and first.last_updated == T0
    assert store.read_version("Patient", "p1", 3) is None and store.history("Patient", "nobody") == []
    store.close()
