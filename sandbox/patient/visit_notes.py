"""Visit notes and After Visit Summaries (KAISER_API.md §2.11) for the completed past visits.

Per visit: the ``GetVisitDetailsPast`` body, the ``GetVisitNotes`` body, each note's Epic-rendered HTML
(with the ``data-copy-context`` attribute carrying internal ids, as captured), the AVS HTML and the AVS
PDF behind ``avsSnapshots[0].dcsID``. Refills get neither notes nor an AVS snapshot. *Inferred:* the
sensitive-note behaviour (content is served; only the flags say so) and the snapshot's extra members.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from sandbox.patient.opaque import digits, wp_id
from sandbox.patient.pdf import minimal_pdf
from sandbox.patient.timeline import PACIFIC

__all__ = ["VisitDocuments", "amend_first_note", "build_visit_documents"]

_NOTE_NAMES = ("Progress Notes", "Progress Notes", "Progress Notes", "Patient Instructions", "Telephone Encounter")
_COMPLAINTS = ("follow-up of blood pressure", "knee pain", "annual physical", "rash on forearm", "cough")


@dataclass(frozen=True)
class VisitDocuments:
    """Everything the past-visit details page can load for one CSN."""

    details: dict[str, Any]
    notes: dict[str, Any]
    note_html: dict[str, str] = field(default_factory=dict)
    """``hnoID`` -> LoadReportContent ``reportContent``."""
    avs_html: str | None = None
    avs_pdf: bytes | None = None


def _visit_moment(visit: dict[str, Any]) -> datetime:
    millis = int(str(visit["Instant"])[6:-2])
    return datetime.fromtimestamp(millis / 1000, tz=PACIFIC)


def _note_html(rng: random.Random, visit: dict[str, Any], name: str, addendum: bool) -> str:
    complaint = rng.choice(_COMPLAINTS)
    context = f"{digits(rng, 9)}|{digits(rng, 7)}|HNO"
    body = "Addendum: lab results reviewed with patient." if addendum else f"Patient seen for {escape(complaint)}."
    return (
        f'<div class="EID-1 NoteReport" data-copy-context="{context}">'
        f'<h2 class="ReportTitle">{escape(name)}</h2>'
        f"<p><b>{escape(visit['PrimaryProviderName'])}</b> &middot; {escape(visit['Date'])}</p>"
        f'<p class="NoteText">{body}</p><script>window.noteLoaded = true;</script>'
        f'<ul><li>Plan: continue current care.</li><li onclick="x()">Return if symptoms worsen.</li></ul></div>'
    )


def _avs_html(visit: dict[str, Any]) -> str:
    return (
        f'<div class="EID-avs" data-copy-context="{escape(str(visit["Dat"])[:20])}"><h1>After Visit Summary</h1>'
        f"<p>{escape(str(visit['Date']))}</p><p>Follow up in 3 months.</p></div>"
    )


def _documents(rng: random.Random, visit: dict[str, Any], index: int) -> VisitDocuments:
    csn = str(visit["Csn"])
    moment = _visit_moment(visit)
    refill = visit["VisitTypeName"] == "Refill"
    notes: list[dict[str, Any]] = []
    note_html: dict[str, str] = {}
    if not refill:
        count = 2 if index % 4 == 1 else 1
        for position in range(count):
            addendum = position == 1
            name = "Progress Notes" if addendum else _NOTE_NAMES[index % len(_NOTE_NAMES)]
            hno_id = f"{digits(rng, 10)}"
            notes.append(
                {
                    "hnoID": hno_id,
                    "hnoDAT": f"{digits(rng, 5)}.{digits(rng, 2)}",
                    "displayName": name,
                    "iso": (moment.replace(second=0) if not addendum else moment.replace(hour=17)).isoformat(),
                    "isAddendum": addendum,
                    "provider": {} if position == 0 else {"name": visit["PrimaryProviderName"]},
                    "isNoteSensitive": index % 7 == 3,
                }
            )
            note_html[hno_id] = _note_html(rng, visit, name, addendum)
    dcs_id = None if refill else wp_id(rng, 72)
    snapshots = (
        [] if dcs_id is None else [{"dcsID": dcs_id, "createdInstantISO": moment.isoformat(), "isShareable": True}]
    )
    details = {
        "encounterType": "ambulatory",
        "csn": csn,
        "dat": visit["Dat"],
        "externalStatus": "NotExternalVisit",
        "notesInfo": {
            "isAtLeastOneNoteShareable": bool(notes),
            "linkedAdmissionCSN": "",
            "notesReport": {"reportMnemonic": "", "reportID": "", "reportContext": ""},
        },
        "avsInfo": {
            "canShowDischargeInstr": False,
            "isDischargeInstrEnabled": False,
            "avsLiveReport": {},
            "avsSnapshots": snapshots,
            "hasShareableAvs": bool(snapshots),
            "isAdmissionActive": False,
        },
        "visitSummaryInfo": {
            "summaryType": "PastAppointment",
            "department": visit["PrimaryDepartment"]["Name"],
            "provider": visit["PrimaryProviderName"],
            "encounterDate": moment.strftime("%b %d, %Y"),
            "visitType": visit["VisitTypeName"],
            "visitDetailsURL": f"/mychartcn/app/visits/past-details?csn={csn}",
        },
        "externalDocUrl": "",
        "orgID": "",
        "isEncounterSensitive": False,
    }
    listing = {
        "lrpID": digits(rng, 6),
        "depPhoneNumber": visit["PrimaryDepartment"]["PhoneNumber"],
        "isAtLeastOneNoteSensitive": any(note["isNoteSensitive"] for note in notes),
        "noteList": notes,
    }
    avs_lines = [
        "After Visit Summary",
        str(visit["Date"]),
        f"{visit['VisitTypeName']} with {visit['PrimaryProviderName']}",
    ]
    return VisitDocuments(
        details=details,
        notes=listing,
        note_html=note_html,
        avs_html=None if dcs_id is None else _avs_html(visit),
        avs_pdf=None if dcs_id is None else minimal_pdf(avs_lines),
    )


def build_visit_documents(rng: random.Random, past: tuple[dict[str, Any], ...]) -> dict[str, VisitDocuments]:
    """Documents for every completed past visit (cancelled, no-show and walk-outs have none), keyed by CSN."""
    completed = [v for v in past if not (v["IsCanceled"] or v["IsNoShow"] or v["LeftWithoutSeen"])]
    return {str(visit["Csn"]): _documents(rng, visit, index) for index, visit in enumerate(completed)}


def amend_first_note(visit: dict[str, Any], documents: VisitDocuments, text: str) -> str:
    """A clinician amends the visit's first note (its ``hnoID`` is returned); the visit turns unread in the
    past-visit list. *Inferred:* MyChart flags a visit with new documentation as not viewed."""
    hno_id = str(documents.notes["noteList"][0]["hnoID"])
    documents.note_html[hno_id] = documents.note_html[hno_id].replace(
        "</div>", f'<p class="NoteText">Amended: {escape(text)}</p></div>', 1
    )
    visit["IsNotViewed"] = True
    return hno_id
