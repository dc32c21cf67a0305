"""Access-logs surface: portal and third-party log entries -> AuditEvent."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translators import TranslationContext, TranslationResult, translate_access_log, validated
from translators.access_logs import LogKind
from translators.ids import FHIR_ID_PATTERN

LOGS = json.loads((Path(__file__).parent / "fixtures" / "access_logs.json").read_text())
CTX = TranslationContext(patient_id="patient-1")
EXT = "urn:fhirgate:kaiser:extension:access-log-"
Raw = dict[str, Any]


def translate(kind: LogKind, mutate: Callable[[list[Raw]], object] | None = None) -> TranslationResult:
    entries = copy.deepcopy(LOGS[kind])
    if mutate is not None:
        mutate(entries)
    return translate_access_log(entries, kind, CTX)


def extensions(event: Raw) -> dict[str, Any]:
    return {
        item["url"].removeprefix(EXT): item.get("valueInteger", item.get("valueString")) for item in event["extension"]
    }


ROWS: list[tuple[str, LogKind, Callable[[Raw], Any]]] = [
    ("accessTime keeps its -08:00 offset", "portal", lambda e: e["recorded"] == "2026-01-05T09:12:44-08:00"),
    (
        "accessor is the agent",
        "portal",
        lambda e: e["agent"] == [{"who": {"display": "Patient Portal"}, "requestor": True}],
    ),
    (
        "a portal entry is a read of the record",
        "portal",
        lambda e: e["action"] == "R" and e["type"]["code"] == "110110",
    ),
    ("raw enums kept", "portal", lambda e: extensions(e) == {"kind": "portal", "entryType": 1, "ccdAction": 0}),
    ("the patient is the entity", "portal", lambda e: e["entity"] == [{"what": {"reference": "Patient/patient-1"}}]),
    ("Kaiser observed it", "portal", lambda e: e["source"] == {"observer": {"display": "Kaiser Permanente"}}),
    ("third-party action as subtype", "third-party", lambda e: e["subtype"] == [{"display": "Test Result Details"}]),
    (
        "third-party accessor is an application",
        "third-party",
        lambda e: e["agent"][0]["type"]["coding"][0]["code"] == "110150",
    ),
    ("third-party action is not guessed", "third-party", lambda e: "action" not in e),
    ("accessMethod kept", "third-party", lambda e: extensions(e)["accessMethod"] == 2),
]


@pytest.mark.parametrize(("quirk", "kind", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirk(quirk: str, kind: LogKind, check: Callable[[Raw], Any]) -> None:
    result = translate(kind)
    assert result.warnings == []
    event = result.resources[0]
    assert event["meta"] == {"source": "urn:fhirgate:kaiser:access-logs"}
    assert validated(event) == event
    assert check(event), quirk


def test_summer_offset_is_kept() -> None:
    assert translate("portal").resources[1]["recorded"] == "2026-07-05T09:12:44-07:00"


def test_ids_are_stable_distinct_and_survive_exact_repeats() -> None:
    repeated = translate("portal", lambda entries: entries.append(copy.deepcopy(entries[0])))
    ids = [event["id"] for event in repeated.resources]
    assert len(set(ids)) == 3 and all(FHIR_ID_PATTERN.fullmatch(i) for i in ids)
    assert ids[:2] == [event["id"] for event in translate("portal").resources]
    other_log = [event["id"] for event in translate_access_log(LOGS["portal"], "third-party", CTX).resources]
    assert set(other_log).isdisjoint(ids)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda entries: entries[0].update(accessTime="Jan 5, 2026"), "accessTime"),
        (lambda entries: entries[0].update(accessTime=None), "accessTime"),
        (lambda entries: entries[0].update(entryType="one"), "[0].entryType"),
        (lambda entries: entries.insert(0, "not an entry"), "[0]"),
    ],
    ids=["zone-less-time", "missing-time", "enum-not-int", "entry-not-object"],
)
def test_malformed_input_gives_warnings_not_exceptions(mutate: Callable[[list[Raw]], object], field: str) -> None:
    result = translate("portal", mutate)
    assert any(warning.field == field for warning in result.warnings), result.warnings
    for resource in result.resources:
        assert validated(resource) == resource


def test_output_is_deterministic() -> None:
    assert json.dumps(translate("third-party").resources) == json.dumps(translate("third-party").resources)
