"""Visit notes + AVS -> DocumentReference + Binary: note types, sanitizing, addenda, sensitivity, PDF."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from translators import TranslationContext, translate_visit_documents, validated
from translators.visit_context import encounter_id

CTX = TranslationContext(patient_id="pat-1")
CSN = "WP-24csn-invented"
# Shapes from KAISER_API.md §2.11 (invented values).
DETAILS: dict[str, Any] = {
    "encounterType": "ambulatory",
    "csn": CSN,
    "dat": "WP-24dat",
    "externalStatus": "NotExternalVisit",
    "notesInfo": {"isAtLeastOneNoteShareable": True, "linkedAdmissionCSN": "", "notesReport": {}},
    "avsInfo": {"avsSnapshots": [{"dcsID": "WP-24dcs-invented"}], "hasShareableAvs": True},
    "visitSummaryInfo": {"summaryType": "PastAppointment", "encounterDate": "Jan 05, 2026"},
    "isEncounterSensitive": False,
}
NOTES: dict[str, Any] = {
    "lrpID": "123456",
    "depPhoneNumber": "\u202a(510) 555-0142\u202c",
    "isAtLeastOneNoteSensitive": False,
    "noteList": [
        {"hnoID": "111", "hnoDAT": "54114.97", "displayName": "Progress Notes", "iso": "2026-01-05T10:00:00-08:00",
         "isAddendum": False, "provider": {}, "isNoteSensitive": False},
        {"hnoID": "222", "hnoDAT": "54115.01", "displayName": "Progress Notes", "iso": "2026-01-05T17:00:00-08:00",
         "isAddendum": True, "provider": {"name": "ALEX SAMPLE MD"}, "isNoteSensitive": False},
    ],
}  # fmt: skip
HTML = (
    '<div class="EID-1" data-copy-context="12345|67890|HNO"><p onclick="steal()">Seen for <b>cough</b>.</p>'
    "<script>alert(1)</script><style>p{}</style></div>"
)
REPORTS = {"111": {"reportContent": HTML, "reportCss": "<style></style>"}, "222": {"reportContent": "<p>Addendum.</p>"}}
PDF = b"%PDF-1.4\n%invented\n%%EOF\n"


def _translate(**changes: Any) -> Any:
    args: dict[str, Any] = {"details": DETAILS, "notes": NOTES, "note_reports": REPORTS, "avs_pdf": PDF}
    args |= {
        "avs_report": {"reportContent": "<h1>After Visit Summary</h1>"},
        "avs_document": {"displayName": "AVS.pdf"},
    }
    args |= changes
    return translate_visit_documents(CSN, args.pop("details"), args.pop("notes"), args.pop("note_reports"), CTX, **args)


def _decoded(document: dict[str, Any], index: int = 0) -> str:
    return base64.b64decode(document["content"][index]["attachment"]["data"]).decode()


def test_progress_note_gets_loinc_clinical_note_category_date_and_encounter() -> None:
    result = _translate()
    note = result.resources[0]
    assert note["type"] == {
        "coding": [{"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}],
        "text": "Progress Notes",
    }
    assert note["category"][0]["coding"][0]["code"] == "clinical-note"
    assert note["date"] == "2026-01-05T10:00:00-08:00"  # offset kept
    assert note["context"] == {"encounter": [{"reference": f"Encounter/{encounter_id(CSN)}"}]}
    assert note["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"]
    assert "author" not in note  # provider {} is empty: the author is only inside the HTML
    assert not result.warnings


def test_note_html_is_sanitized_of_scripts_handlers_and_data_attributes() -> None:
    html = _decoded(_translate().resources[0])
    assert "Seen for <b>cough</b>." in html
    for banned in ("data-copy-context", "12345", "onclick", "<script", "alert", "<style", "class="):
        assert banned not in html


ROWS: list[tuple[str, dict[str, Any], Any]] = [
    (
        "another note name: UNK plus the text, never LOINC",
        {"displayName": "Telephone Encounter"},
        lambda n: n["type"]["coding"][0]["code"] == "UNK" and n["type"]["text"] == "Telephone Encounter",
    ),
    (
        "near miss is not Progress Notes",
        {"displayName": "Progress Note"},
        lambda n: n["type"]["coding"][0]["code"] == "UNK",
    ),
    (
        "sensitive note is restricted",
        {"isNoteSensitive": True},
        lambda n: n["securityLabel"][0]["coding"][0]["code"] == "R",
    ),
    (
        "named provider becomes author",
        {"provider": {"name": "DR TEST"}},
        lambda n: n["author"] == [{"display": "DR TEST"}],
    ),
]


@pytest.mark.parametrize(("quirk", "change", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_note_quirks(quirk: str, change: dict[str, Any], check: Any) -> None:
    notes = copy.deepcopy(NOTES)
    notes["noteList"][0].update(change)
    assert check(_translate(notes=notes).resources[0]), quirk


def test_addendum_appends_to_the_visits_first_note() -> None:
    first, addendum = _translate().resources[:2]
    assert addendum["relatesTo"] == [{"code": "appends", "target": {"reference": f"DocumentReference/{first['id']}"}}]
    assert addendum["author"] == [{"display": "ALEX SAMPLE MD"}]


def test_avs_has_html_and_a_pdf_binary_it_points_to() -> None:
    resources = _translate().resources
    binary = next(r for r in resources if r["resourceType"] == "Binary")
    avs = resources[-1]
    assert base64.b64decode(binary["data"]) == PDF and binary["contentType"] == "application/pdf"
    assert avs["type"]["text"] == "After Visit Summary" and avs["identifier"][0]["value"] == "WP-24dcs-invented"
    pdf = avs["content"][1]["attachment"]
    assert pdf["url"] == f"Binary/{binary['id']}" and pdf["size"] == len(PDF) and pdf["title"] == "AVS.pdf"
    assert "After Visit Summary" in _decoded(avs)


def test_sensitive_encounter_marks_every_document_and_no_avs_means_none() -> None:
    details = {**DETAILS, "isEncounterSensitive": True}
    labelled = _translate(details=details).resources
    assert all("securityLabel" in r for r in labelled if r["resourceType"] == "DocumentReference")
    bare = _translate(avs_report=None, avs_pdf=None, avs_document=None).resources
    assert [r["resourceType"] for r in bare] == ["DocumentReference", "DocumentReference"]


def test_a_note_whose_content_was_withheld_is_skipped_with_a_warning() -> None:
    result = _translate(note_reports={"222": REPORTS["222"]})
    documents = [r for r in result.resources if r["resourceType"] == "DocumentReference"]
    assert len(documents) == 2
    assert [(w.key, w.field) for w in result.warnings] == [("111", "reportContent"), ("222", "isAddendum")]
    # The addendum's parent is unknown: no dangling relatesTo, the flag itself is kept.
    assert "relatesTo" not in documents[0]
    assert documents[0]["extension"] == [{"url": "urn:fhirgate:kaiser:extension:addendum", "valueBoolean": True}]


def test_an_addendum_listed_before_its_note_still_appends_to_it() -> None:
    notes = {**NOTES, "noteList": list(reversed(NOTES["noteList"]))}
    addendum, first = _translate(notes=notes).resources[:2]
    assert addendum["relatesTo"] == [{"code": "appends", "target": {"reference": f"DocumentReference/{first['id']}"}}]
    assert "extension" not in addendum and "relatesTo" not in first


def test_deterministic_and_valid() -> None:
    first, second = _translate(), _translate()
    assert json.dumps(first.resources) == json.dumps(second.resources)
    assert all(validated(r) == r for r in first.resources)


@pytest.mark.parametrize(
    "notes", [{}, {"noteList": "x"}, {"noteList": [None, {"hnoID": None}, {"hnoID": "111", "iso": "yesterday"}]}]
)
def test_malformed_note_lists_never_raise(notes: dict[str, Any]) -> None:
    _translate(notes=notes, details={"avsInfo": 5})
