"""Visit notes and After Visit Summaries (§2.11) -> DocumentReference (+ Binary for the AVS PDF).

- One DocumentReference per note whose content was loaded: ``type`` is LOINC 11506-3 only when the
  note's name is exactly "Progress Notes", otherwise v3-NullFlavor ``UNK`` plus the name as text (US
  Core's required type binding); category ``clinical-note``; ``date`` from the note's ISO time;
  ``author`` only when the portal names one; an addendum ``appends`` (``relatesTo``) the visit's first
  loaded non-addendum note, wherever it is listed; with no such note it carries the ``addendum`` extension.
- Note HTML is sanitized with nh3 (no scripts, handlers or attributes: ``data-copy-context`` carries
  internal ids) and kept inline as ``text/html``.
- The AVS is one DocumentReference with its sanitized HTML and, when downloaded, a ``application/pdf``
  attachment pointing at a Binary holding the bytes.
- Sensitive notes/encounters carry the v3-Confidentiality ``R`` (restricted) security label.
- ``context.encounter`` is the Encounter the appointments surface emits for the same CSN.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from translators.dates import DateParseError, fhir_instant
from translators.errors import InvalidResourceError
from translators.html_content import attachment
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated
from translators.visit_context import encounter_id

SURFACE = "visit-notes"
US_CORE_DOCUMENT_REFERENCE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"
LOINC = "http://loinc.org"
NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"
DOCUMENT_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ADDENDUM = "urn:fhirgate:kaiser:extension:addendum"
"""DocumentReference: ``isAddendum`` when the note it adds to is unknown (else ``relatesTo`` says it)."""
PROGRESS_NOTES = "Progress Notes"
AVS_TITLE = "After Visit Summary"

_CATEGORY = [{"coding": [{"system": DOCUMENT_CATEGORY, "code": "clinical-note", "display": "Clinical Note"}]}]
_RESTRICTED = [{"coding": [{"system": CONFIDENTIALITY, "code": "R", "display": "restricted"}]}]


def binary_id(csn: str) -> str:
    return stable_id(SURFACE, f"avs-pdf:{csn}")


def document_type(name: str | None) -> dict[str, Any]:
    """LOINC 11506-3 for exactly "Progress Notes"; otherwise ``UNK`` with the portal's name as text."""
    if name == PROGRESS_NOTES:
        return {"coding": [{"system": LOINC, "code": "11506-3", "display": "Progress note"}], "text": name}
    return {"coding": [{"system": NULL_FLAVOR, "code": "UNK", "display": "unknown"}], "text": name}


def translate_visit_documents(
    csn: str,
    details: Mapping[str, Any],
    notes: Mapping[str, Any],
    note_reports: Mapping[str, Mapping[str, Any]],
    ctx: TranslationContext,
    *,
    avs_report: Mapping[str, Any] | None = None,
    avs_document: Mapping[str, Any] | None = None,
    avs_pdf: bytes | None = None,
) -> TranslationResult:
    result = TranslationResult()
    log = WarningLog(SURFACE, csn, result.warnings)
    detail, listing = root(details, log), root(notes, log)
    sensitive_visit = detail.get("isEncounterSensitive").boolean() is True
    loaded: list[tuple[str, PortalNode, str]] = []
    for note in listing.get("noteList").items():
        hno_id = note.get("hnoID").key_text()
        if hno_id is None:
            log.warn(note.path, "note without hnoID; skipped")
            continue
        html = root(note_reports.get(hno_id), log).get("reportContent").text()
        if html is None:
            log.for_key(hno_id).warn("reportContent", "note content was not loaded; skipped")
            continue
        loaded.append((hno_id, note, html))
    parent = next((note_id(hno_id) for hno_id, note, _ in loaded if not _is_addendum(note)), None)
    for hno_id, note, html in loaded:
        addendum_of = parent if _is_addendum(note) else None
        if _is_addendum(note) and parent is None:
            log.for_key(hno_id).warn("isAddendum", "addendum to a note that was not loaded; kept as a flag")
        document = _note(csn, hno_id, note, html, sensitive_visit, addendum_of, ctx)
        _append(result, document, log.for_key(hno_id))
    avs_html = root(avs_report, log).get("reportContent").text()
    if avs_html is not None or avs_pdf is not None:
        _append_avs(result, csn, detail, avs_html, root(avs_document, log), avs_pdf, sensitive_visit, ctx, log)
    return result


def note_id(hno_id: str) -> str:
    return stable_id(SURFACE, f"note:{hno_id}")


def _is_addendum(note: PortalNode) -> bool:
    return note.get("isAddendum").boolean() is True


def _append(result: TranslationResult, resource: FhirJson, log: WarningLog) -> None:
    try:
        result.resources.append(validated(pruned(resource)))
    except InvalidResourceError as error:
        log.warn(str(resource.get("resourceType")), f"skipped: {error}")


def _date(node: PortalNode, log: WarningLog) -> str | None:
    try:
        return fhir_instant(node.value)
    except DateParseError as error:
        log.warn(node.path, f"{error}; date omitted")
        return None


def _note(
    csn: str,
    hno_id: str,
    note: PortalNode,
    html: str,
    sensitive_visit: bool,
    parent: str | None,
    ctx: TranslationContext,
) -> FhirJson:
    name = note.get("displayName").text()
    author = note.get("provider").get("name").text()
    sensitive = sensitive_visit or note.get("isNoteSensitive").boolean() is True
    return {
        "resourceType": "DocumentReference",
        "id": note_id(hno_id),
        "meta": meta(SURFACE, US_CORE_DOCUMENT_REFERENCE),
        "extension": [{"url": ADDENDUM, "valueBoolean": True}] if _is_addendum(note) and not parent else None,
        "identifier": [{"system": identifier_system(ctx.region, "hno-id"), "value": hno_id}],
        "status": "current",
        "type": document_type(name),
        "category": _CATEGORY,
        "subject": patient_reference(ctx.patient_id),
        "date": _date(note.get("iso"), note.log),
        "author": [{"display": author}] if author else None,
        "relatesTo": [{"code": "appends", "target": {"reference": f"DocumentReference/{parent}"}}] if parent else None,
        "securityLabel": _RESTRICTED if sensitive else None,
        "content": [{"attachment": attachment(html, title=name or "Visit note")}],
        "context": {"encounter": [{"reference": f"Encounter/{encounter_id(csn)}"}]},
    }


def _append_avs(
    result: TranslationResult,
    csn: str,
    detail: PortalNode,
    html: str | None,
    document: PortalNode,
    pdf: bytes | None,
    sensitive: bool,
    ctx: TranslationContext,
    log: WarningLog,
) -> None:
    snapshot = detail.get("avsInfo").get("avsSnapshots").first_item()
    dcs_id = snapshot.get("dcsID").key_text()
    title = document.get("displayName").text() or AVS_TITLE
    contents = [{"attachment": attachment(html, title=AVS_TITLE)}] if html else []
    if pdf is not None:
        binary = {
            "resourceType": "Binary",
            "id": binary_id(csn),
            "meta": meta(SURFACE),
            "contentType": "application/pdf",
            "data": base64.b64encode(pdf).decode("ascii"),
        }
        contents.append(
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": f"Binary/{binary_id(csn)}",
                    "size": len(pdf),
                    "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode("ascii"),  # noqa: S324 - FHIR mandates SHA-1
                    "title": title,
                }
            }
        )
        _append(result, binary, log)
    avs = {
        "resourceType": "DocumentReference",
        "id": stable_id(SURFACE, f"avs:{csn}"),
        "meta": meta(SURFACE, US_CORE_DOCUMENT_REFERENCE),
        "identifier": [{"system": identifier_system(ctx.region, "dcs-id"), "value": dcs_id}] if dcs_id else None,
        "status": "current",
        "type": document_type(AVS_TITLE),
        "category": _CATEGORY,
        "subject": patient_reference(ctx.patient_id),
        "date": _date(snapshot.get("createdInstantISO"), log),  # inferred snapshot member; omitted when absent
        "description": document.get("fileDescription").text(),
        "securityLabel": _RESTRICTED if sensitive else None,
        "content": contents,
        "context": {"encounter": [{"reference": f"Encounter/{encounter_id(csn)}"}]},
    }
    _append(result, avs, log)
