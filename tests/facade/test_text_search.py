"""`_content` and `_text` on the facade: hits in each type, bm25 order, snippets, index upkeep, bad queries."""

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from gateway.store.text_index import SNIPPET_TOKENS
from tests.facade.conftest import AUTH, BASE, T0, TOKEN
from tests.store.text_record import RECORD, message

SNIPPET = "urn:fhirgate:search:snippet"


@pytest.fixture
def seeded(store: SqliteStore) -> SqliteStore:
    store.write_surface("text", RECORD, now=T0)
    return store


@pytest.fixture
def text_client(seeded: SqliteStore) -> TestClient:
    return TestClient(create_facade_app(seeded, FacadeSettings(token=TOKEN)), base_url=BASE)


def _search(client: TestClient, query: str) -> dict[str, Any]:
    response = client.get(f"/fhir/{query}", headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _matches(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]


def _ids(bundle: dict[str, Any]) -> list[str]:
    return [e["resource"]["id"] for e in _matches(bundle)]


def _snippet(entry: dict[str, Any]) -> str:
    (extension,) = entry["search"]["extension"]
    assert extension["url"] == SNIPPET
    return str(extension["valueString"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Communication?_content=knee", {"m1", "m2"}),
        ("DocumentReference?_content=knee", {"n1"}),
        ("DiagnosticReport?_content=meniscus", {"r1"}),
        ("DiagnosticReport?_content=knee", {"r1"}),  # the report's name is part of its text
        ("Observation?_content=stiffness", {"o1"}),
        ("Encounter?_text=follow-up", {"e1"}),
        ("Communication?_content=flu", {"m3"}),
    ],
)
def test_content_finds_the_text_of_each_type(text_client: TestClient, query: str, expected: set[str]) -> None:
    assert set(_ids(_search(text_client, query))) == expected


def test_script_content_and_markup_are_not_indexed(text_client: TestClient) -> None:
    assert _ids(_search(text_client, "DocumentReference?_content=script")) == []
    assert _ids(_search(text_client, "DocumentReference?_content=therapy")) == ["n1"]


def test_the_message_dwelling_on_the_word_scores_higher(text_client: TestClient) -> None:
    entries = {
        e["resource"]["id"]: e["search"]["score"] for e in _matches(_search(text_client, "Communication?_content=knee"))
    }
    assert entries["m1"] > entries["m2"] > 0


def test_without_sort_the_best_match_comes_first_on_every_page(store: SqliteStore, client: TestClient) -> None:
    # ids chosen so that id order is the reverse of relevance order
    words = {"a1": "knee", "a2": "knee knee", "a3": "knee knee knee", "a4": "knee knee knee knee"}
    store.write_surface("text", [message(i, "Note", f"{w} and other words") for i, w in words.items()], now=T0)
    bundle = _search(client, "Communication?_content=knee")
    assert _ids(bundle) == ["a4", "a3", "a2", "a1"]
    scores = [e["search"]["score"] for e in _matches(bundle)]
    assert scores == sorted(scores, reverse=True)
    seen, url = [], "/fhir/Communication?_content=knee&_count=1"
    pages = []
    while url:
        page = client.get(url, headers=AUTH).json()
        pages.append(page)
        seen += _ids(page)
        url = next((link["url"] for link in page["link"] if link["relation"] == "next"), "")
    assert seen == ["a4", "a3", "a2", "a1"]
    (previous,) = [link["url"] for link in pages[-1]["link"] if link["relation"] == "previous"]
    assert _ids(client.get(previous, headers=AUTH).json()) == ["a2"]


def test_snippet_marks_the_hit_and_stays_short(text_client: TestClient) -> None:
    (entry,) = _matches(_search(text_client, "Communication?_content=lisinopril"))
    snippet = _snippet(entry)
    assert "[lisinopril]" in snippet
    assert len(snippet.split()) <= SNIPPET_TOKENS + 2


def test_snippet_of_a_long_text_is_cut_with_ellipses(store: SqliteStore, client: TestClient) -> None:
    filler = " ".join(f"word{i}" for i in range(200))
    store.write_surface("text", [message("long", "Long", f"{filler} meniscus {filler}")], now=T0)
    (entry,) = _matches(_search(client, "Communication?_content=meniscus"))
    snippet = _snippet(entry)
    assert snippet.startswith("…") and snippet.endswith("…") and "[meniscus]" in snippet
    assert len(snippet.split()) <= SNIPPET_TOKENS + 2


def test_phrases_operators_and_prefixes(text_client: TestClient) -> None:
    assert _ids(_search(text_client, 'Communication?_content="left knee"')) == ["m1"]
    assert _ids(_search(text_client, 'Communication?_content="knee left"')) == []
    assert set(_ids(_search(text_client, "Communication?_content=lisinopril OR flu"))) == {"m2", "m3"}
    assert _ids(_search(text_client, "Communication?_content=knee NOT lisinopril")) == ["m1"]
    assert set(_ids(_search(text_client, "Communication?_content=lisin*"))) == {"m2"}
    assert set(_ids(_search(text_client, "Communication?_content=lisinopril,flu"))) == {"m2", "m3"}


def test_text_combines_with_other_parameters_paging_and_sort(text_client: TestClient) -> None:
    assert _ids(_search(text_client, "Communication?_content=knee&sent=ge2024")) == ["m1"]
    first = _search(text_client, "Communication?_content=knee&_sort=-sent&_count=1")
    assert _ids(first) == ["m1"]
    (next_url,) = [link["url"] for link in first["link"] if link["relation"] == "next"]
    second = text_client.get(next_url, headers=AUTH).json()
    assert _ids(second) == ["m2"]
    assert "[knee]" in _snippet(_matches(second)[0]).lower()
    counted = _search(text_client, "Communication?_content=knee&_summary=count")
    assert counted["total"] == 2


def test_text_searches_only_the_narrative(text_client: TestClient) -> None:
    assert _ids(_search(text_client, "Encounter?_text=knee")) == ["e1"]
    assert _ids(_search(text_client, "Communication?_text=knee")) == []
    assert set(_ids(_search(text_client, "Communication?_content:missing=true"))) == set()
    assert set(_ids(_search(text_client, "Communication?_text:missing=false"))) == set()


@pytest.mark.parametrize(
    "value",
    ['knee"', "knee AND", "(knee", "knee)", "NOT knee", '""', "-", "AND", "x" * 501],
)
def test_a_malformed_text_query_is_a_400_outcome(text_client: TestClient, value: str) -> None:
    response = text_client.get("/fhir/Communication", params={"_content": value}, headers=AUTH)
    assert response.status_code == 400, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "invalid"


def test_fts_syntax_in_the_users_words_is_taken_literally(text_client: TestClient) -> None:
    for value in ("NEAR(knee stairs)", "content:knee", "knee^", "{content}: knee", "knee + stairs"):
        response = text_client.get("/fhir/Communication", params={"_content": value}, headers=AUTH)
        assert response.status_code == 200, (value, response.text)


def test_modifiers_other_than_missing_are_refused(text_client: TestClient) -> None:
    response = text_client.get("/fhir/Communication?_content:exact=knee", headers=AUTH)
    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "not-supported"


def test_an_update_reindexes_and_a_textless_version_leaves_the_index(
    seeded: SqliteStore, text_client: TestClient
) -> None:
    later = T0 + timedelta(minutes=1)
    seeded.write_surface("text", [message("m1", "Shoulder", "My shoulder hurts now.")], now=later)
    assert set(_ids(_search(text_client, "Communication?_content=knee"))) == {"m2"}
    assert _ids(_search(text_client, "Communication?_content=shoulder")) == ["m1"]
    textless = {k: v for k, v in message("m3", "", "").items() if k not in ("topic", "payload")}
    seeded.write_surface("text", [textless], now=later)
    assert _ids(_search(text_client, "Communication?_content=flu")) == []
    assert set(_ids(_search(text_client, "Communication?_content:missing=true"))) == {"m3"}


def test_capability_statement_lists_the_text_parameters(client: TestClient) -> None:
    statement = client.get("/fhir/metadata").json()
    params = {
        resource["type"]: {p["name"]: p["type"] for p in resource.get("searchParam", [])}
        for resource in statement["rest"][0]["resource"]
    }
    for resource_type in ("Communication", "DocumentReference", "DiagnosticReport", "Observation"):
        assert params[resource_type]["_content"] == "string"
        assert params[resource_type]["_text"] == "string"
    assert params["Encounter"]["_text"] == "string"


def test_migration_indexes_a_store_written_before_the_index(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore.open(path)
    store.write_surface("text", RECORD, now=T0)
    store.close()
    # Make it the store an older fhirgate left: no text index, no markers, schema version 5.
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE text_index")
        conn.execute("DELETE FROM search_index WHERE param IN ('_content', '_text')")
        conn.execute("PRAGMA user_version = 5")
    conn.close()
    reopened = SqliteStore.open(path)
    try:
        with TestClient(create_facade_app(reopened, FacadeSettings(token=TOKEN)), base_url=BASE) as client:
            assert set(_ids(_search(client, "Communication?_content=knee"))) == {"m1", "m2"}
            assert _ids(_search(client, "Encounter?_text=knee")) == ["e1"]
    finally:
        reopened.close()
