"""Bulk export's leaf of the ``gateway.search.errors.FhirError`` tree (the facade converts it; the whole tree
is drawn in docs/architecture.md)."""

from __future__ import annotations

from gateway.search import FhirError


class ExportJobFailedError(FhirError, code="exception", status=500):
    """The export job failed; ``diagnostics`` says so without any record content."""
