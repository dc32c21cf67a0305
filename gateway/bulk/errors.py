"""Bulk export's leaf of the ``gateway.search.errors.FhirError`` tree (the facade converts it)::

FhirError
└── ExportJobFailedError   exception   500   the job stopped; polling its status says why
"""

from __future__ import annotations

from gateway.search import FhirError


class ExportJobFailedError(FhirError):
    """The export job failed; ``diagnostics`` says so without any record content."""

    issue_code = "exception"
    http_status = 500
