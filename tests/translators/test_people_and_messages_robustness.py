"""Schema drift never raises in the relationships, care-team, messages and access-log translators."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.translators.drift import assert_sound, fuzz, load, paths, replaced
from tests.translators.drift import json_values as drift_values
from translators import (
    DownloadedDocument,
    TranslationContext,
    translate_access_log,
    translate_care_team,
    translate_conversation,
    translate_relationships,
)

CTX = TranslationContext(patient_id="patient-1")
FUZZ = fuzz(60)
json_values = drift_values(["", "1", "WP-24x", "555-555-0100", "2026-01-05T09:12:44-08:00", "<p>x</p>", "N/A"])


ROSTER = load("relationships.json")
TEAM = load("care_team_load.json")
THREAD = load("conversation_details.json")
PARTIES = load("conversation_participants.json")
LOGS = load("access_logs.json")
DOWNLOADS = {"WP-24dcs-invented": DownloadedDocument(b"%PDF-1.4", "application/pdf", "x.pdf")}


@FUZZ
@given(st.sampled_from(paths(ROSTER)), json_values)
def test_relationships_survive_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    assert_sound(translate_relationships(replaced(ROSTER, path, value), CTX))


@FUZZ
@given(st.sampled_from(paths(TEAM)), json_values)
def test_care_team_survives_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    drifted = replaced(TEAM, path, value)
    assert_sound(translate_care_team(drifted, CTX, external=drifted))


@FUZZ
@given(st.sampled_from(paths({"thread": THREAD, "parties": PARTIES})), json_values)
def test_messages_survive_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    drifted = replaced({"thread": THREAD, "parties": PARTIES}, path, value)
    thread: Any = drifted.get("thread") if isinstance(drifted, dict) else None
    parties = drifted.get("parties") if isinstance(drifted, dict) else None
    parties = parties if isinstance(parties, dict) else {}
    assert_sound(
        translate_conversation(
            thread, CTX, users=parties.get("users"), viewers=parties.get("viewers"), downloads=DOWNLOADS
        )
    )


@FUZZ
@given(st.sampled_from(paths(LOGS)), json_values)
def test_access_logs_survive_any_single_field_drift(path: tuple[Any, ...], value: Any) -> None:
    drifted = replaced(LOGS, path, value)
    for kind in ("portal", "third-party"):
        entries = drifted.get(kind) if isinstance(drifted, dict) else None
        assert_sound(translate_access_log(entries if isinstance(entries, list) else [entries], kind, CTX))


@FUZZ
@given(json_values, json_values)
def test_arbitrary_json_never_raises(first: Any, second: Any) -> None:
    assert_sound(translate_relationships(first, CTX))
    assert_sound(translate_care_team(first, CTX, external=second))
    assert_sound(translate_conversation(first, CTX, users=second, viewers=second))
    assert_sound(translate_access_log(first if isinstance(first, list) else [first], "portal", CTX))
