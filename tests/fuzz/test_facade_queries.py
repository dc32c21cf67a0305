"""Random and hostile queries against the real facade over a store of the sandbox patient: every answer
is a valid FHIR response (2xx Bundle/resource or 4xx OperationOutcome), never a 500 or a traceback."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.search import SEARCH_PARAMETERS, SERVED_RESOURCE_TYPES
from gateway.store import SqliteStore
from sandbox.patient import generate_patient
from translators.lab_results import translate_lab_result
from translators.medications import translate_rx_details
from translators.profile import patient_id_from_profile, translate_profile
from translators.types import TranslationContext, TranslationResult

TOKEN = "fuzz-token"
# `make fuzz` raises this; `make test` keeps the run short.
EXAMPLES = int(os.environ.get("FHIRGATE_FUZZ_EXAMPLES", "150"))

PARAM_NAMES = [
    *sorted({p.name for p in SEARCH_PARAMETERS}),
    "_count",
    "_sort",
    "_include",
    "_revinclude",
    "_summary",
    "_elements",
    "_total",
    "_cursor",
    "_format",
    "_id",
    "_lastUpdated",
    "unknown-param",
    "",
]
MODIFIERS = ["", ":exact", ":contains", ":not", ":text", ":missing", ":Patient", ":iterate", ":bogus"]
HOSTILE = [
    "",
    "ge2024",
    "ap2024-01-01",
    "eb2024-13-45",
    "lt",
    "x" * 2000,
    "../../etc/passwd",
    "%00",
    "\u202e",
    "é",
    "http://loinc.org|2823-3",
    "|",
    "||",
    "Patient/../x",
    "-date",
    "999999999",
    "-1",
    "0",
    "true",
    "count",
    "Observation:subject",
    "*",
    "🙂",
    "<script>",
    "'; DROP TABLE resources;--",
    "1e309",
    "NaN",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
pairs = st.lists(st.tuples(st.sampled_from(PARAM_NAMES), st.sampled_from(MODIFIERS), values), max_size=5)
types = st.one_of(st.sampled_from(sorted(SERVED_RESOURCE_TYPES)), st.sampled_from(["Foo", "patient", "..", "%2e%2e"]))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    patient = generate_patient(seed=3)
    store = SqliteStore.open(Path(tmp_path_factory.mktemp("fuzz")) / "store.sqlite3")
    ctx = TranslationContext(patient_id=patient_id_from_profile(patient.profile))
    now = datetime(2026, 11, 23, tzinfo=UTC)
    labs = TranslationResult()
    for order in patient.lab_orders:
        labs.extend(translate_lab_result(order.list_entry, order.detail, ctx, group=order.group))
    store.write_surface("profile", translate_profile(patient.profile, ctx).resources, now=now)
    store.write_surface("test-results", labs.resources, now=now)
    store.write_surface("medications", translate_rx_details(patient.rx_details, ctx).resources, now=now)
    app = create_facade_app(store, FacadeSettings(token=TOKEN))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as test_client:
        yield test_client
    store.close()


def _assert_fhir_answer(status: int, body: bytes, content_type: str) -> None:
    assert status < 500, body[:500]
    if status == 304:
        return
    assert "json" in content_type, content_type
    document = json.loads(body)
    assert isinstance(document, dict) and "resourceType" in document
    if status >= 400:
        assert document["resourceType"] == "OperationOutcome"
        assert "Traceback" not in body.decode("utf-8", "replace")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(resource_type=types, query=pairs)
def test_any_search_is_a_fhir_answer(client: TestClient, resource_type: str, query: list[tuple[str, str, str]]) -> None:
    encoded = "&".join(f"{quote(name + modifier, safe=':')}={quote(value, safe='')}" for name, modifier, value in query)
    response = client.get(f"/fhir/{resource_type}?{encoded}", headers={"Authorization": f"Bearer {TOKEN}"})
    _assert_fhir_answer(response.status_code, response.content, response.headers.get("content-type", ""))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    resource_type=types, resource_id=values, suffix=st.sampled_from(["", "/_history", "/_history/1", "/$everything"])
)
def test_any_read_is_a_fhir_answer(client: TestClient, resource_type: str, resource_id: str, suffix: str) -> None:
    response = client.get(
        f"/fhir/{resource_type}/{quote(resource_id, safe='')}{suffix}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    _assert_fhir_answer(response.status_code, response.content, response.headers.get("content-type", ""))


@settings(
    max_examples=EXAMPLES // 3,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(cursor=values)
def test_forged_cursors_are_refused_cleanly(client: TestClient, cursor: str) -> None:
    response = client.get(
        f"/fhir/Observation?_cursor={quote(cursor, safe='')}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    _assert_fhir_answer(response.status_code, response.content, response.headers.get("content-type", ""))
