"""A small record with words in every kind of text the index reads (shared by facade and MCP tests)."""

import base64
from typing import Any


def message(id_: str, subject: str, body: str, sent: str = "2024-03-01T10:00:00Z") -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "id": id_,
        "status": "completed",
        "subject": {"reference": "Patient/p1"},
        "sent": sent,
        "topic": {"text": subject},
        "payload": [{"contentString": body}],
    }


def note(id_: str, html: str, date: str = "2023-06-01T10:00:00Z") -> dict[str, Any]:
    data = base64.b64encode(html.encode()).decode()
    return {
        "resourceType": "DocumentReference",
        "id": id_,
        "status": "current",
        "subject": {"reference": "Patient/p1"},
        "date": date,
        "type": {"text": "Progress Notes"},
        "content": [{"attachment": {"contentType": "text/html; charset=utf-8", "data": data, "title": "Visit note"}}],
    }


RECORD: list[dict[str, Any]] = [
    message("m1", "Knee pain", "My left knee is swollen. The knee hurts when I climb stairs. Knee, knee."),
    message("m2", "Refill", "Please refill my lisinopril. Also my knee is a bit better.", sent="2023-01-05T09:00:00Z"),
    message("m3", "Flu shot", "When can I get the flu shot?"),
    note("n1", "<p>Exam of the <b>knee</b>: mild effusion.</p><script>knee()</script><p>Plan: physical therapy</p>"),
    {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "code": {"text": "MRI KNEE LEFT"},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2024-02-01T08:00:00Z",
        "conclusion": "Small tear of the medial meniscus.",
    },
    {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"text": "Comment"},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2024-02-02T08:00:00Z",
        "valueString": "See report",
        "note": [{"text": "Patient reports knee stiffness in the morning"}],
    },
    {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": "Patient/p1"},
        "text": {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">Knee follow-up visit</div>'},
    },
]
