"""Result PDFs for the sandbox: a small, valid one-page PDF per downloadable order, built on demand.

The bytes depend only on the order (name, key, result instant), so the same seed gives the same PDF.
"""

from __future__ import annotations

import hashlib

from sandbox.patient.model import LabOrder
from sandbox.patient.pdf import minimal_pdf

__all__ = ["dcs_id", "result_pdf"]


def dcs_id(order: LabOrder) -> str:
    """The document id GetDocumentGenerationInfo hands out for ``order`` (opaque, stable)."""
    return "DCS-" + hashlib.sha256(f"result-pdf\x1f{order.key}".encode()).hexdigest()[:32]


def result_pdf(order: LabOrder) -> bytes:
    """A minimal PDF 1.4 with the order name and result time as its only text."""
    metadata = order.list_entry["orderMetadata"]
    return minimal_pdf([str(order.list_entry["name"]), f"Resulted {metadata.get('prioritizedInstantDisplay', '')}"])
