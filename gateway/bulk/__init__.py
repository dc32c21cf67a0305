"""gateway.bulk — the whole record out: FHIR Bulk Data export jobs on the facade, and the store-reading and
NDJSON writing that ``fhirgate export`` shares with them."""

from gateway.bulk.errors import ExportJobFailedError
from gateway.bulk.jobs import DEFAULT_RETENTION, ExportJob, ExportJobs, JobState
from gateway.bulk.kickoff import NDJSON_FORMATS, ExportLevel, ExportRequest, parse_kickoff
from gateway.bulk.ndjson import NdjsonFiles, private_dir, private_file
from gateway.bulk.record import EXPORTABLE_TYPES, binary_ids, patient_record, system_record, type_totals
from gateway.bulk.routes import SYSTEM_OPERATIONS, TYPE_OPERATIONS, bulk_extension, bulk_routes

__all__ = [
    "DEFAULT_RETENTION",
    "EXPORTABLE_TYPES",
    "NDJSON_FORMATS",
    "SYSTEM_OPERATIONS",
    "TYPE_OPERATIONS",
    "ExportJob",
    "ExportJobFailedError",
    "ExportJobs",
    "ExportLevel",
    "ExportRequest",
    "JobState",
    "NdjsonFiles",
    "binary_ids",
    "bulk_extension",
    "bulk_routes",
    "parse_kickoff",
    "patient_record",
    "private_dir",
    "private_file",
    "system_record",
    "type_totals",
]
