"""A test result's PDF (the three-step chain of KAISER_API.md §2.6.3) -> DocumentReference + Binary.

The DocumentReference points at its DiagnosticReport (``context.related``, same id scheme as
``translators.lab_results``) and at the Binary holding the bytes (``content.attachment.url``). No US Core
profile is claimed: the portal gives no LOINC document type.
"""

from __future__ import annotations

import base64
import hashlib

from translators.ids import stable_id
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "test-results"
PDF = "application/pdf"
CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"


def result_document_id(order_key: str) -> str:
    return stable_id(SURFACE, f"pdf:{order_key}")


def translate_result_pdf(
    order_key: str, display_name: str, content: bytes, ctx: TranslationContext, *, issued: str | None = None
) -> TranslationResult:
    """The DocumentReference and Binary for one result PDF; ``issued`` (the report's) dates the document."""
    document_id = result_document_id(order_key)
    binary_id = stable_id(SURFACE, f"binary:pdf:{order_key}")
    binary: FhirJson = {
        "resourceType": "Binary",
        "id": binary_id,
        "meta": meta(SURFACE),
        "contentType": PDF,
        "securityContext": {"reference": f"DocumentReference/{document_id}"},
        "data": base64.b64encode(content).decode("ascii"),
    }
    document: FhirJson = {
        "resourceType": "DocumentReference",
        "id": document_id,
        "meta": meta(SURFACE),
        "status": "current",
        "type": {"text": "Test result report"},
        "category": [{"coding": [{"system": CATEGORY, "code": "clinical-note", "display": "Clinical Note"}]}],
        "subject": patient_reference(ctx.patient_id),
        "description": display_name,
        "content": [
            {
                "attachment": {
                    "contentType": PDF,
                    "url": f"Binary/{binary_id}",
                    "size": len(content),
                    "hash": base64.b64encode(hashlib.sha1(content).digest()).decode("ascii"),  # noqa: S324 - FHIR's hash is SHA-1
                    "title": display_name,
                }
            }
        ],
        "context": {"related": [{"reference": f"DiagnosticReport/{stable_id(SURFACE, f'dr:{order_key}')}"}]},
    }
    if issued is not None:
        document["date"] = issued
    return TranslationResult(resources=[validated(document), validated(binary)])
