import json
import sqlite3
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.search import parse_search
from gateway.store import (
    SCHEMA_VERSION,
    InvalidResourceError,
    SchemaTooNewError,
    SqliteStore,
    SurfaceWriteSummary,
)
from tests.store.conftest import T0
from tests.store.sample_resources import lab, medication_request, patient


def test_open_creates_private_directory_and_file_with_wal(tmp_path: Path) -> None:
    path = tmp_path / "home" / "store.db"
    store = SqliteStore.open(path)
    store.write_surface("profile", [patient()], now=T0)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.with_name("store.db-wal").stat().st_mode) == 0o600
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_reopen_keeps_data_and_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = SqliteStore.open(path)
    store.write_surface("profile", [patient()], now=T0)
    store.close()
    store = SqliteStore.open(path)
    assert store.read("Patient", "p1") is not None
    store.close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        SqliteStore.open(path)


def test_version_increments_only_when_content_changes(store: SqliteStore) -> None:
    assert store.write_surface("profile", [patient()], now=T0) == SurfaceWriteSummary(new=1)
    first = store.read("Patient", "p1")
    assert first is not None and first.version_id == 1
    assert json.loads(first.json_text)["meta"] == {"versionId": "1", "lastUpdated": "2024-05-01T12:00:00.000Z"}

    later = T0 + timedelta(hours=1)
    assert store.write_surface("profile", [patient()], now=later) == SurfaceWriteSummary(unchanged=1)
    assert store.read("Patient", "p1") == first

    changed = patient(family="Schmidt")
    changed["meta"] = {"versionId": "99", "lastUpdated": "2000-01-01T00:00:00Z", "source": "profile"}
    assert store.write_surface("profile", [changed], now=later) == SurfaceWriteSummary(updated=1)
    second = store.read("Patient", "p1")
    assert second is not None and second.version_id == 2 and second.last_updated == later
    meta = json.loads(second.json_text)["meta"]
    assert meta == {"versionId": "2", "lastUpdated": "2024-05-01T13:00:00.000Z", "source": "profile"}
    assert list(json.loads(second.json_text))[:3] == ["resourceType", "id", "meta"]


def test_stored_json_is_compact(store: SqliteStore) -> None:
    store.write_surface("profile", [patient()], now=T0)
    stored = store.read("Patient", "p1")
    assert stored is not None
    assert ", " not in stored.json_text and ": " not in stored.json_text
    assert "Müller" in stored.json_text


def test_an_invalid_resource_rolls_back_the_whole_surface(store: SqliteStore) -> None:
    store.write_surface("labs", [lab("o1"), lab("o2")], problems=["first"], now=T0)
    broken = [lab("o1", code="999-9"), lab("o3"), {"resourceType": "Observation", "status": "final"}]
    with pytest.raises(InvalidResourceError):
        store.write_surface("labs", broken, now=T0 + timedelta(days=1))
    stored = store.read("Observation", "o1")
    assert stored is not None and stored.version_id == 1 and "2345-7" in stored.json_text
    assert store.read("Observation", "o3") is None
    assert store.search(parse_search("Observation", [("code", "999-9")])).total == 0
    assert store.search(parse_search("Observation", [("code", "2345-7")])).total == 2
    (state,) = store.surface_states()
    assert state.last_success == T0 and state.problems == ("first",)


def test_conflicting_duplicates_in_one_write_are_rejected(store: SqliteStore) -> None:
    assert store.write_surface("labs", [lab("o1"), lab("o1")], now=T0) == SurfaceWriteSummary(new=1)
    with pytest.raises(InvalidResourceError, match="twice"):
        store.write_surface("labs", [lab("o2"), lab("o2", code="1-1")], now=T0)


def test_naive_timestamps_are_refused(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="timezone"):
        store.write_surface("labs", [], now=T0.replace(tzinfo=None))


def test_surface_state_records_success_problems_types_and_failures(store: SqliteStore) -> None:
    store.write_surface("meds", [medication_request("m1"), patient()], problems=["1 skipped"], now=T0)
    later = T0 + timedelta(hours=2)
    store.record_surface_failure("meds", "HTTP 503", now=later)
    store.record_surface_failure("labs", "login expired", now=later)
    labs, meds = store.surface_states()
    assert (labs.surface, labs.last_success, labs.last_error, labs.resource_types) == (
        "labs",
        None,
        "login expired",
        (),
    )
    assert meds.last_success == T0 and meds.last_attempt == later and meds.last_error == "HTTP 503"
    assert meds.problems == ("1 skipped",) and meds.resource_types == ("MedicationRequest", "Patient")
    assert meds.failing
    assert store.read("MedicationRequest", "m1") is not None  # data untouched by the failure
    store.write_surface("meds", [medication_request("m1")], now=later)
    meds = store.surface_states()[1]
    assert not meds.failing and meds.problems == () and meds.last_success == later


def test_resources_of_types_outside_the_table_are_stored_and_readable(store: SqliteStore) -> None:
    provenance = {"resourceType": "Spaceship", "id": "pv1", "recorded": "2024-05-01T12:00:00Z"}
    store.write_surface("labs", [provenance], now=T0)
    assert store.read("Spaceship", "pv1") is not None


def test_migration_4_repairs_empty_date_ranges_and_seeks_dates_by_their_end(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = SqliteStore.open(path)
    store.write_surface("labs", [lab("a", effective="2024-03-01")], now=T0)
    store.close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP INDEX search_index_date_high; PRAGMA user_version = 3;"
        " UPDATE search_index SET date_high = date_low - 5 WHERE resource_id = 'a' AND param = 'date';"
    )
    conn.close()
    store = SqliteStore.open(path)
    assert [e.id for e in store.search(parse_search("Observation", [("date", "ge2024-03-01")])).entries] == ["a"]
    store.close()
    with sqlite3.connect(path) as conn:
        low, high = conn.execute("SELECT date_low, date_high FROM search_index WHERE param = 'date'").fetchone()
        assert high == low + 1
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_index_date_high'").fetchone()
    conn.close()
