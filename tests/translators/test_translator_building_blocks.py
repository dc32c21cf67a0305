"""The translators' helpers: dates, ids, units, HTML, validation, and the declared public surface."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

import translators
from translators import InvalidResourceError, identifier_system, stable_id, validated
from translators.dates import (
    DateParseError,
    at_display_offset,
    fhir_date,
    fhir_instant,
    instant_after,
    local_display_datetime,
)
from translators.html_content import attachment, plain_text
from translators.ids import FHIR_ID_PATTERN
from translators.portal import WarningLog, root
from translators.units import UCUM_CODES, quantity


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-05", "2026-01-05"),
        ("01/05/2026", "2026-01-05"),
        ("1/5/2026", "2026-01-05"),
        ("Jan 10, 2026", "2026-01-10"),
        ("January 10, 2026", "2026-01-10"),
        ("Sept 3, 2025", "2025-09-03"),
        ("2026-01-10T08:00:00-08:00", "2026-01-10"),
        ("2026-01-10T16:15:00Z", "2026-01-10"),
        ("N/A", None),
        ("", None),
        ("  ", None),
        (None, None),
    ],
)
def test_fhir_date_accepts_every_kaiser_shape(raw: object, expected: str | None) -> None:
    assert fhir_date(raw) == expected


@pytest.mark.parametrize("raw", ["02/30/2026", "2026-13-01", "tomorrow", "Foo 1, 2026", 20260105, "10.01.2026"])
def test_fhir_date_rejects_what_it_cannot_read(raw: object) -> None:
    with pytest.raises(DateParseError):
        fhir_date(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-10T16:15:00Z", "2026-01-10T16:15:00Z"),
        ("2026-01-10T16:15Z", "2026-01-10T16:15:00Z"),
        ("2026-01-10T08:00:00-08:00", "2026-01-10T08:00:00-08:00"),
        ("2026-01-10T16:15:00.250+00:00", "2026-01-10T16:15:00.25Z"),
        ("N/A", None),
        (None, None),
    ],
)
def test_fhir_instant_keeps_the_zone_it_was_given(raw: object, expected: str | None) -> None:
    assert fhir_instant(raw) == expected


@pytest.mark.parametrize("raw", ["2026-01-10T16:15:00", "2026-01-10", "Jan 10, 2026 8:15 AM", 1736525700])
def test_fhir_instant_never_invents_a_zone(raw: object) -> None:
    with pytest.raises(DateParseError):
        fhir_instant(raw)


@pytest.mark.parametrize(
    ("display", "offset_source", "expected"),
    [
        ("Jan 10, 2026 7:50 AM", "2026-01-10T08:00:00-08:00", "2026-01-10T07:50:00-08:00"),
        ("Jan 10, 2026 12:05 PM", "2026-01-10T08:00:00-08:00", "2026-01-10T12:05:00-08:00"),
        ("Jan 10, 2026 12:05 AM", "2026-01-10T08:00:00-08:00", "2026-01-10T00:05:00-08:00"),
        ("Jul 2, 2025 9:41 PM", "2025-07-02T09:30:00-07:00", "2025-07-02T21:41:00-07:00"),
        ("Jan 10, 2026 7:50 AM", None, "2026-01-10"),
        ("Jan 10, 2026 7:50 AM", "2026-01-11T08:00:00-08:00", "2026-01-10"),
        ("Jan 10, 2026 7:50 AM", "2026-01-10T08:00:00", "2026-01-10"),
        ("Jan 10, 2026", "2026-01-10T08:00:00-08:00", "2026-01-10"),
        ("N/A", "2026-01-10T08:00:00-08:00", None),
    ],
)
def test_local_display_time_borrows_only_a_same_day_offset(
    display: str, offset_source: str | None, expected: str | None
) -> None:
    assert local_display_datetime(display, offset_source=offset_source) == expected


@pytest.mark.parametrize("display", ["Jan 10, 2026 13:50 PM", "Feb 30, 2026 7:50 AM", "soon"])
def test_local_display_time_rejects_impossible_times(display: str) -> None:
    with pytest.raises(DateParseError):
        local_display_datetime(display)


@pytest.mark.parametrize(
    ("instant", "display", "expected"),
    [
        ("2026-01-06T01:30:00Z", "1/5/2026 5:30:00 PM", "2026-01-05T17:30:00-08:00"),
        ("2026-07-07T00:00:00Z", "7/6/2026 5:00:00 PM", "2026-07-06T17:00:00-07:00"),
        ("2026-01-05T21:50:00Z", "01/06/2026 3:20 AM", "2026-01-06T03:20:00+05:30"),
        ("2026-01-05T21:50:00Z", "1/5/2026 9:50:00 PM", "2026-01-05T21:50:00Z"),
        ("2026-01-05T21:50:00Z", "1/5/2026 1:51:00 PM", None),
        ("2026-01-05T21:50:00Z", "1/7/2026 1:50:00 PM", None),
        ("2026-01-05T21:50:00Z", "1/5/2026 13:50:00 PM", None),
        ("2026-01-05T21:50:00Z", None, None),
    ],
    ids=["pst evening", "pdt", "half-hour zone", "utc", "not a quarter hour", "beyond 14 h", "13 PM", "absent"],
)
def test_display_offset_is_read_off_the_wall_clock_never_invented(
    instant: str, display: str | None, expected: str | None
) -> None:
    assert at_display_offset(instant, display) == expected


def test_instant_after_keeps_the_offset() -> None:
    assert instant_after("2026-01-05T23:50:00-08:00", 30) == "2026-01-06T00:20:00-08:00"


@pytest.mark.parametrize(
    ("value", "expected", "warned"),
    [("12/11/2026", "2026-12-11", False), (None, None, False), ("N/A", None, False), ("02/30/2026", None, True)],
)
def test_portal_node_date_warns_on_a_malformed_date(value: object, expected: str | None, warned: bool) -> None:
    log = WarningLog("medications", "rx-1")
    assert root({"nextFillDate": value}, log).get("nextFillDate").date() == expected
    assert [warning.field for warning in log.warnings] == (["nextFillDate"] if warned else [])


def test_stable_id_is_deterministic_hex_and_a_valid_fhir_id() -> None:
    first = stable_id("test-results", "dr:ORD-1")

    assert first == stable_id("test-results", "dr:ORD-1")
    assert first != stable_id("medications", "dr:ORD-1")
    assert first != stable_id("test-results", "obs:ORD-1")
    assert len(first) == 32 and int(first, 16) >= 0
    assert FHIR_ID_PATTERN.fullmatch(first)
    # A WP- id far longer than 64 characters still gives a valid id.
    assert FHIR_ID_PATTERN.fullmatch(stable_id("test-results", "dr:WP-" + "x" * 200))


def test_identifier_system_lowercases_the_region() -> None:
    assert identifier_system("NCA", "mrn") == "urn:fhirgate:kaiser:nca:mrn"
    assert identifier_system("SCA", "order-key") == "urn:fhirgate:kaiser:sca:order-key"


@pytest.mark.parametrize(("unit", "code"), [("K/uL", "10*3/uL"), ("mEq/L", "meq/L"), ("mmol/L", "mmol/L")])
def test_mapped_units_get_ucum_and_keep_the_original_string(unit: str, code: str) -> None:
    assert quantity(Decimal("1"), unit) == {
        "value": Decimal("1"),
        "unit": unit,
        "system": "http://unitsofmeasure.org",
        "code": code,
    }


@pytest.mark.parametrize("unit", ["mg/dl ", "cells/hpf", "Ratio", "x10E3/uL"])
def test_unreviewed_units_stay_uncoded(unit: str) -> None:
    assert unit.strip() not in UCUM_CODES  # the table is reviewed row by row; these are not in it
    assert quantity(Decimal("1"), unit) == {"value": Decimal("1"), "unit": unit}


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("Line<br>break<br/>again", "Line\nbreak\nagain"),
        ("A &amp; B &lt;5&gt; &nbsp;C", "A & B <5> C"),
        ("<ul><li>first</li><li>second</li></ul>", "- first\n- second"),
        ("<script>alert(1)</script><style>p{}</style>Safe", "Safe"),
        ("<div data-copy-context='x'>  lots   of\n spaces </div>", "lots of spaces"),
        ("plain text\nkept", "plain text\nkept"),
        ("<p></p>", ""),
    ],
)
def test_plain_text_from_kaiser_html(html: str, text: str) -> None:
    assert plain_text(html) == text


def test_html_attachment_is_sanitized_base64() -> None:
    form = attachment('<p onclick="x()">Hi<script>bad()</script></p>', title="Narrative")

    assert form["contentType"] == "text/html; charset=utf-8"
    assert base64.b64decode(form["data"]).decode() == "<p>Hi</p>"


@pytest.mark.parametrize(
    "resource",
    [
        {"resourceType": "Observation", "status": "final"},  # code missing
        {"resourceType": "Observation", "status": "done", "code": {"text": "x"}},  # required binding
        {"resourceType": "Observation", "id": "a" * 65, "status": "final", "code": {"text": "x"}},
        {"resourceType": "Observation", "id": "has space", "status": "final", "code": {"text": "x"}},
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "x"},
            "effectiveDateTime": "2026-01-10T08:00",
        },
        {"resourceType": "Nope"},
        {"status": "final"},
    ],
)
def test_validated_rejects_invalid_resources(resource: dict[str, object]) -> None:
    with pytest.raises(InvalidResourceError):
        validated(resource)


def test_validated_returns_canonical_json() -> None:
    resource = {
        "code": {"text": "x"},
        "status": "final",
        "resourceType": "Observation",
        "valueQuantity": {"value": Decimal("5.4")},
    }

    assert validated(resource) == {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "x"},
        "valueQuantity": {"value": 5.4},
    }
    assert list(validated(resource)) == ["resourceType", "status", "code", "valueQuantity"]


def test_public_surface_is_declared_sorted_and_complete() -> None:
    exported = translators.__all__

    assert exported == sorted(exported)
    for name in exported:
        assert hasattr(translators, name), name
    public = {
        name
        for name, value in vars(translators).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("translators")
    }
    assert public <= set(exported)
