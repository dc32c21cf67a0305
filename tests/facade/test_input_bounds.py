"""Every input is bounded (DESIGN.md §8): values per parameter, parameters, body size, quoted ids."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from starlette.exceptions import HTTPException
from starlette.testclient import TestClient

from fhirgate.serving import RunningServer, serve_in_thread
from gateway.facade import MAX_BODY_BYTES, FacadeSettings, create_facade_app, outcome_response
from gateway.facade.quoting import QUOTE_LIMIT
from gateway.search.parsing import MAX_PARAMETERS, MAX_VALUES_PER_PARAMETER, MAX_VALUES_PER_SEARCH
from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, T0, TOKEN
from tests.store.sample_resources import lab

FORM = {**AUTH, "Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    store = SqliteStore.open(tmp_path_factory.mktemp("bounds") / "store.db")
    store.write_surface("labs", [lab("o1")], now=T0)
    with serve_in_thread(create_facade_app(store, FacadeSettings(token=TOKEN))) as server:
        yield server
    store.close()


def _issue(response: httpx2.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/fhir+json")
    issue: dict[str, str] = response.json()["issue"][0]
    return issue


def test_a_thousand_values_for_one_parameter_is_a_400_not_an_expression_tree_500(served: RunningServer) -> None:
    codes = ",".join(f"a{i}" for i in range(1000))
    with httpx2.Client(base_url=served.base_url, headers=AUTH) as client:
        refused = client.get(f"/fhir/Observation?code={codes}")
        allowed = client.get("/fhir/Observation?code=" + ",".join(f"a{i}" for i in range(MAX_VALUES_PER_PARAMETER)))
    assert refused.status_code == 400 and _issue(refused)["code"] == "invalid"
    assert f"at most {MAX_VALUES_PER_PARAMETER}" in _issue(refused)["diagnostics"]
    assert allowed.status_code == 200


def test_too_many_parameters_is_a_400(served: RunningServer) -> None:
    body = "&".join(f"code=c{i}" for i in range(MAX_PARAMETERS + 1))
    with httpx2.Client(base_url=served.base_url) as client:
        refused = client.post("/fhir/Observation/_search", content=body, headers=FORM)
    assert refused.status_code == 400 and f"at most {MAX_PARAMETERS}" in _issue(refused)["diagnostics"]


def test_too_many_values_across_parameters_is_a_400(served: RunningServer) -> None:
    per_parameter = ",".join(f"ge2020-01-{1 + i % 28:02d}" for i in range(MAX_VALUES_PER_PARAMETER))
    count = MAX_VALUES_PER_SEARCH // MAX_VALUES_PER_PARAMETER + 1
    body = "&".join(f"date={per_parameter}" for _ in range(count))
    with httpx2.Client(base_url=served.base_url) as client:
        refused = client.post("/fhir/Observation/_search", content=body, headers=FORM)
    assert refused.status_code == 400 and f"at most {MAX_VALUES_PER_SEARCH}" in _issue(refused)["diagnostics"]


def test_a_search_form_over_the_limit_streamed_without_length_is_413(served: RunningServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"code="
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"a" * 65536

    with httpx2.Client(base_url=served.base_url) as client:
        refused = client.post("/fhir/Observation/_search", content=chunks(), headers=FORM)
    assert refused.status_code == 413 and _issue(refused)["code"] == "too-long"


def test_a_declared_100_mb_body_is_refused_before_it_is_read(served: RunningServer) -> None:
    head = (
        "POST /fhir/Observation/_search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {AUTH['Authorization']}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 100000000\r\n\r\ncode=a"
    )
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5, "answered without waiting for the 100 MB"


def test_a_huge_id_is_quoted_back_bounded(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "store.db")
    huge = "x" * 30_000
    with TestClient(create_facade_app(store, FacadeSettings(token=TOKEN)), base_url="http://127.0.0.1:8765") as client:
        missing = client.get(f"/fhir/Observation/{huge}", headers=AUTH)
        history = client.get(f"/fhir/Observation/{huge}/_history/{huge}", headers=AUTH)
    store.close()
    for response in (missing, history):
        assert response.status_code == 404
        diagnostics = response.json()["issue"][0]["diagnostics"]
        assert len(diagnostics) < 3 * QUOTE_LIMIT and "30,000 characters" in diagnostics


def test_a_request_starlette_refuses_is_a_400_outcome_not_a_500() -> None:
    response = outcome_response(HTTPException(400, "Field size exceeds maximum"))
    assert response.status_code == 400
    assert b'"code":"invalid"' in response.body and b"Field size" in response.body
