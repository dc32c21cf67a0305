"""Bulk Data Access (v2) on the facade: kick-off, status polling, cancel, and the NDJSON files.

``GET [base]/$export`` and ``GET [base]/Patient/$export`` answer ``202`` with ``Content-Location`` naming
the status URL; polling it answers ``202`` with ``Retry-After`` and ``X-Progress`` while the job runs, the
manifest (``200``, ``application/json``) when done, or the failure as an OperationOutcome; ``DELETE`` on it
cancels the job and removes its files. Every route sits behind the facade's bearer token, so the manifest
says ``requiresAccessToken: true``. Handlers are plain functions: starlette runs them in its threadpool.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import format_datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from gateway.bulk.errors import ExportJobFailedError
from gateway.bulk.jobs import ERROR_FILE, ExportJob, ExportJobs, JobState
from gateway.bulk.kickoff import ExportLevel, parse_kickoff
from gateway.bulk.ndjson import NDJSON_SUFFIX
from gateway.facade.context import fhir_base
from gateway.facade.errors import ResourceNotFoundError, ThrottledError
from gateway.facade.extension import FacadeExtension
from gateway.facade.negotiation import require_fhir_json
from gateway.facade.responses import FhirJSONResponse

EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"
PATIENT_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"
SYSTEM_OPERATIONS = ({"name": "export", "definition": EXPORT},)
TYPE_OPERATIONS = {"Patient": ({"name": "export", "definition": PATIENT_EXPORT},)}
NDJSON = "application/fhir+ndjson"
RETRY_AFTER_SECONDS = 1
_STATUS = "$export-status"
_FILES = "$export-file"


def _status_url(request: Request, job: ExportJob) -> str:
    return f"{fhir_base(request)}/{_STATUS}/{job.id}"


def _manifest(request: Request, job: ExportJob) -> dict[str, Any]:
    files = f"{fhir_base(request)}/{_FILES}/{job.id}"
    output = [
        {"type": resource_type, "url": f"{files}/{resource_type}{NDJSON_SUFFIX}", "count": count}
        for resource_type, count in job.counts.items()
    ]
    errors = [{"type": "OperationOutcome", "url": f"{files}/{ERROR_FILE}"}] if job.errors else []
    return {
        "transactionTime": job.transaction_time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request": job.request.request_url,
        "requiresAccessToken": True,
        "output": output,
        "deleted": [],
        "error": errors,
    }


def _kickoff(jobs: ExportJobs, level: ExportLevel) -> Callable[[Request], Response]:
    def kickoff(request: Request) -> Response:
        require_fhir_json(request)
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        asked = parse_kickoff(level, params, request.headers.get("prefer", ""), str(request.url))
        job = jobs.start(asked)
        if job is None:
            raise ThrottledError(f"{jobs.max_running} exports are already running; try again when one is done")
        outcome = {
            "resourceType": "OperationOutcome",
            "issue": [{"severity": "information", "code": "informational", "diagnostics": "export started"}],
        }
        return FhirJSONResponse(outcome, status_code=202, headers={"Content-Location": _status_url(request, job)})

    kickoff.__name__ = f"{level.value}_export"
    return kickoff


def _job(jobs: ExportJobs, request: Request) -> ExportJob:
    job = jobs.get(request.path_params["job"])
    if job is None:
        raise ResourceNotFoundError("no such export job (finished jobs are kept for a limited time)")
    return job


def _status(jobs: ExportJobs) -> Callable[[Request], Response]:
    def export_status(request: Request) -> Response:
        if request.method == "DELETE":
            if not jobs.cancel(request.path_params["job"]):
                raise ResourceNotFoundError("no such export job")
            return Response(status_code=202)
        job = _job(jobs, request)
        if job.state is JobState.RUNNING:
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "X-Progress": job.progress()}
            return Response(status_code=202, headers=headers)
        if job.state is JobState.FAILED:
            raise ExportJobFailedError(job.failure or "the export failed")
        headers = {}
        if job.finished_at is not None:
            headers["Expires"] = format_datetime(job.finished_at + jobs.retention, usegmt=True)
        return JSONResponse(_manifest(request, job), headers=headers)

    return export_status


def _files(jobs: ExportJobs) -> Callable[[Request], Response]:
    def export_file(request: Request) -> Response:
        job = _job(jobs, request)
        name = request.path_params["name"]
        served = {f"{t}{NDJSON_SUFFIX}" for t in job.counts} | ({ERROR_FILE} if job.errors else set())
        if job.state is not JobState.COMPLETE or name not in served:
            raise ResourceNotFoundError("no such file in this export")
        return FileResponse(job.directory / name, media_type=NDJSON)

    return export_file


def bulk_routes(jobs: ExportJobs) -> list[Route]:
    """The Bulk Data routes, to be matched before the facade's ``/fhir/{type}/{id}`` reads."""
    return [
        Route("/fhir/$export", _kickoff(jobs, ExportLevel.SYSTEM), methods=["GET"]),
        Route("/fhir/Patient/$export", _kickoff(jobs, ExportLevel.PATIENT), methods=["GET"]),
        Route(f"/fhir/{_STATUS}/{{job}}", _status(jobs), methods=["GET", "DELETE"]),
        Route(f"/fhir/{_FILES}/{{job}}/{{name}}", _files(jobs), methods=["GET"]),
    ]


def bulk_extension(jobs: ExportJobs) -> FacadeExtension:
    """Bulk Data ``$export`` on the facade: its routes and their CapabilityStatement declarations."""
    return FacadeExtension(routes=bulk_routes(jobs), operations=TYPE_OPERATIONS, system_operations=SYSTEM_OPERATIONS)
