"""Bulk Data export on the facade, over real HTTP (uvicorn on a loopback port): kick-off, polling, manifest,
downloads with the bearer token, ``_type``, ``_since``, cancel, retention and private files."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from fhirgate.serving import serve_in_thread
from gateway.bulk import ExportJobs, ExportLevel, ExportRequest, bulk_extension
from gateway.facade import FacadeSettings, create_facade_app
from gateway.search import SearchRequest
from gateway.store import SearchPage, SqliteStore
from tests.bulk.small_record import SmallRecord

TOKEN = "bulk-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ASYNC = {**AUTH, "Prefer": "respond-async", "Accept": "application/fhir+json"}


class GatedStore(SqliteStore):
    """The same store file, whose searches wait until the test opens the gate (a job caught mid-run)."""

    gate = threading.Event()

    def search(self, request: SearchRequest) -> SearchPage:
        self.gate.wait(timeout=30)
        return super().search(request)


@pytest.fixture(scope="module")
def facade(small: SmallRecord, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ExportJobs]]:
    exports = Path(tmp_path_factory.mktemp("home")) / "exports"
    jobs = ExportJobs(small.store, exports)
    app = create_facade_app(small.store, FacadeSettings(token=TOKEN, extensions=(bulk_extension(jobs),)))
    with serve_in_thread(app) as server:
        yield f"{server.base_url}/fhir", jobs
    jobs.close()


@pytest.fixture
def http() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=30) as client:
        yield client


def kick_off(http: httpx2.Client, url: str) -> str:
    response = http.get(url, headers=ASYNC)
    assert response.status_code == 202, response.text
    return response.headers["Content-Location"]


def wait_for_manifest(http: httpx2.Client, status_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        response = http.get(status_url, headers=AUTH)
        if response.status_code == 200:
            assert response.headers["content-type"].startswith("application/json")
            manifest: dict[str, Any] = response.json()
            return manifest
        assert response.status_code == 202, response.text
        time.sleep(0.05)
    raise AssertionError("the export did not finish")


def download(http: httpx2.Client, manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for output in manifest["output"]:
        response = http.get(output["url"], headers=AUTH)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/fhir+ndjson")
        lines = [json.loads(line) for line in response.text.splitlines()]
        assert len(lines) == output["count"]
        assert {line["resourceType"] for line in lines} == {output["type"]}
        found[output["type"]] = lines
    return found


def test_kick_off_without_prefer_respond_async_is_refused(facade: tuple[str, ExportJobs], http: httpx2.Client) -> None:
    response = http.get(f"{facade[0]}/$export", headers=AUTH)
    assert response.status_code == 400
    assert "respond-async" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    ("query", "code"),
    [("_outputFormat=text/csv", "not-supported"), ("_type=Nope", "not-supported"), ("_since=2024", "invalid")],
)
def test_unusable_kick_off_parameters_are_an_operation_outcome(
    facade: tuple[str, ExportJobs], http: httpx2.Client, query: str, code: str
) -> None:
    response = http.get(f"{facade[0]}/$export?{query}", headers=ASYNC)
    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == code


def test_kick_off_needs_the_bearer_token(facade: tuple[str, ExportJobs], http: httpx2.Client) -> None:
    response = http.get(f"{facade[0]}/$export", headers={"Prefer": "respond-async"})
    assert response.status_code == 401


def test_system_export_writes_every_stored_resource_once_with_binaries(
    facade: tuple[str, ExportJobs], http: httpx2.Client, small: SmallRecord
) -> None:
    base, jobs = facade
    for fmt in ("application/fhir+ndjson", "application/ndjson", "ndjson"):
        status_url = kick_off(http, f"{base}/$export?_outputFormat={fmt}")
        manifest = wait_for_manifest(http, status_url)
        assert manifest["requiresAccessToken"] is True
        assert manifest["request"].endswith(f"/$export?_outputFormat={fmt}")
        assert manifest["error"] == []
        datetime.fromisoformat(manifest["transactionTime"])
    found = download(http, manifest)
    assert {t: len(lines) for t, lines in found.items()} == dict(small.counts)
    assert small.counts["Binary"] > 0
    assert all(len({r["id"] for r in lines}) == len(lines) for lines in found.values())
    job_dir = jobs.root / status_url.rsplit("/", 1)[1]
    assert stat.S_IMODE(jobs.root.stat().st_mode) == 0o700
    assert stat.S_IMODE(job_dir.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in job_dir.iterdir()} == {0o600}
    assert http.get(manifest["output"][0]["url"]).status_code == 401


def test_type_selects_the_exported_types(
    facade: tuple[str, ExportJobs], http: httpx2.Client, small: SmallRecord
) -> None:
    manifest = wait_for_manifest(http, kick_off(http, f"{facade[0]}/$export?_type=Patient,Binary&_type=Condition"))
    counts = {o["type"]: o["count"] for o in manifest["output"]}
    assert counts == {t: small.counts[t] for t in ("Patient", "Condition", "Binary")}


def test_since_exports_only_what_changed_after_it(
    facade: tuple[str, ExportJobs], http: httpx2.Client, small: SmallRecord
) -> None:
    surfaces = list(small.written_at)
    cut = small.written_at[surfaces[-3]]
    later = set().union(*(small.types_by_surface[s] for s in surfaces[-3:]))
    since = cut.isoformat().replace("+00:00", "Z")
    manifest = wait_for_manifest(
        http,
        kick_off(http, f"{facade[0]}/$export?_since={since}&_type=Patient,Observation,Device,Procedure,ServiceRequest"),
    )
    exported = {o["type"] for o in manifest["output"]}
    assert exported
    assert exported <= later
    assert "Patient" not in exported  # written by the first surface, before the cut


def test_patient_export_gives_the_compartment_and_its_attachments(
    facade: tuple[str, ExportJobs], http: httpx2.Client, small: SmallRecord
) -> None:
    manifest = wait_for_manifest(http, kick_off(http, f"{facade[0]}/Patient/$export"))
    found = download(http, manifest)
    assert len(found["Patient"]) == 1
    assert len(found["Observation"]) == small.counts["Observation"]
    assert len(found["Binary"]) == small.counts["Binary"]
    patient_ref = f"Patient/{found['Patient'][0]['id']}"
    assert all(o["subject"]["reference"] == patient_ref for o in found["Observation"])


def test_unsupported_parameters_are_refused_or_reported_when_lenient(
    facade: tuple[str, ExportJobs], http: httpx2.Client
) -> None:
    refused = http.get(f"{facade[0]}/$export?_typeFilter=Observation%3Fcode%3Dx", headers=ASYNC)
    assert refused.status_code == 400
    lenient = {**ASYNC, "Prefer": "respond-async, handling=lenient"}
    response = http.get(f"{facade[0]}/$export?_type=Patient&_typeFilter=x", headers=lenient)
    assert response.status_code == 202
    manifest = wait_for_manifest(http, response.headers["Content-Location"])
    (error,) = manifest["error"]
    outcome = http.get(error["url"], headers=AUTH).json()
    assert "_typeFilter" in outcome["issue"][0]["diagnostics"]


def test_a_running_job_reports_progress_then_cancel_removes_it_and_its_files(
    small: SmallRecord, tmp_path: Path, http: httpx2.Client
) -> None:
    gated = GatedStore.open(tmp_path / "gated.sqlite3")
    for surface, when in small.written_at.items():
        gated.write_surface(surface, [], now=when)
    jobs = ExportJobs(gated, tmp_path / "exports")
    GatedStore.gate.clear()
    app = create_facade_app(small.store, FacadeSettings(token=TOKEN, extensions=(bulk_extension(jobs),)))
    try:
        with serve_in_thread(app) as server:
            status_url = kick_off(http, f"{server.base_url}/fhir/$export")
            polled = http.get(status_url, headers=AUTH)
            assert polled.status_code == 202
            assert polled.headers["Retry-After"] == "1"
            assert "resources written" in polled.headers["X-Progress"]
            job_dir = jobs.root / status_url.rsplit("/", 1)[1]
            assert job_dir.is_dir()
            GatedStore.gate.set()
            assert http.delete(status_url, headers=AUTH).status_code == 202
            assert not job_dir.exists()
            assert http.get(status_url, headers=AUTH).status_code == 404
            assert http.delete(status_url, headers=AUTH).status_code == 404
    finally:
        GatedStore.gate.set()
        jobs.close()
        gated.close()


def test_finished_jobs_are_removed_after_the_retention_period(small: SmallRecord, tmp_path: Path) -> None:
    now = [datetime(2026, 2, 1, tzinfo=UTC)]
    jobs = ExportJobs(small.store, tmp_path / "exports", retention=timedelta(hours=24), clock=lambda: now[0])
    job = jobs.start(ExportRequest(ExportLevel.SYSTEM, ("Patient",), None, "http://x/fhir/$export"))
    assert job is not None and job.thread is not None
    job.thread.join(timeout=30)
    assert job.counts == {"Patient": 1}
    now[0] += timedelta(hours=23)
    assert jobs.get(job.id) is job
    now[0] += timedelta(hours=2)
    assert jobs.get(job.id) is None
    assert not job.directory.exists()


def test_a_new_server_deletes_files_an_earlier_one_left(small: SmallRecord, tmp_path: Path) -> None:
    leftover = tmp_path / "exports" / "old-job"
    leftover.mkdir(parents=True)
    (leftover / "Patient.ndjson").write_text("{}\n")
    jobs = ExportJobs(small.store, tmp_path / "exports")
    assert jobs.root.is_dir() and not leftover.exists()
    assert stat.S_IMODE(jobs.root.stat().st_mode) == 0o700


def test_the_capability_statement_declares_both_exports(facade: tuple[str, ExportJobs], http: httpx2.Client) -> None:
    capability = http.get(f"{facade[0]}/metadata").json()
    rest = capability["rest"][0]
    assert {"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"} in rest[
        "operation"
    ]
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert "export" in {o["name"] for o in patient["operation"]}
