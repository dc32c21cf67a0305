"""The fidelity checker: a portal leaf missing from the FHIR output is detected; found, mapped and dropped
leaves are accounted for; values compare by meaning (dates, numbers, HTML text), not by spelling."""

from __future__ import annotations

import base64
from typing import Any

from conformance.dropped import DropRule, FidelityRules, MapRule, load_rules
from conformance.fidelity import check_unit, raw_leaves
from conformance.output_index import OutputIndex
from translators.fhir_json import FhirDecimal

_NO_RULES = FidelityRules()


def _observation(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Potassium"},
        "effectiveDateTime": "2026-01-11T07:22:00-08:00",
        "issued": "2026-01-12T15:33:00Z",
        "valueQuantity": {"value": 5.6, "unit": "mmol/L"},
        **extra,
    }


def _check(raw: dict[str, Any], resources: list[dict[str, Any]], rules: FidelityRules = _NO_RULES) -> list[str]:
    return check_unit("test-results", "unit", raw, OutputIndex(resources), rules).missing


def test_every_carried_value_is_found_whatever_its_spelling() -> None:
    raw = {
        "name": "POTASSIUM",
        "value": "5.6",
        "numericValue": 5.60,
        "units": "mmol/L",
        "collected": "Jan 11, 2026 7:22 AM",
        "resulted": "2026-01-12T15:33:00Z",
        "resultedPacific": "2026-01-12T07:33:00-08:00",
    }
    assert _check(raw, [_observation()]) == []


def test_a_dropped_value_is_detected_with_its_path_and_value() -> None:
    raw = {"components": [{"value": "5.6", "units": "mmol/L", "specimen": "Blood"}]}
    missing = _check(raw, [_observation()])
    assert missing == ["test-results [unit] components[].specimen = 'Blood'"]


def test_a_changed_number_or_time_is_not_found() -> None:
    raw = {"value": "5.7", "collected": "Jan 11, 2026 7:23 AM", "resulted": "2026-01-12T15:33:00-08:00"}
    missing = _check(raw, [_observation()])
    assert [m.split("] ")[1].split(" =")[0] for m in missing] == ["value", "collected", "resulted"]


def test_a_number_written_as_text_must_keep_its_precision_a_json_number_compares_by_value() -> None:
    exact = _observation(valueQuantity={"value": FhirDecimal("5.60"), "unit": "mmol/L"})
    assert _check({"value": "5.60", "numericValue": 5.6}, [exact]) == []
    # The portal's "5.60" served as 5.6 lost a significant digit: a missing leaf, though equal in value.
    assert _check({"value": "5.60", "numericValue": 5.6}, [_observation()]) == ["test-results [unit] value = '5.60'"]


def test_an_epic_instant_at_utc_midnight_is_found_as_the_day_of_a_date_only_visit() -> None:
    encounter = {"resourceType": "Encounter", "period": {"start": "2026-01-01"}}
    assert _check({"Instant": "/Date(1767225600000)/"}, [encounter]) == []  # 2026-01-01T00:00:00Z
    assert _check({"Instant": "/Date(1767225660000)/"}, [encounter])  # a minute later is a time, not a day
    assert _check({"Instant": "/Date(1767312000000)/"}, [encounter])  # midnight of another day


def test_map_rules_by_presence_and_by_extension_value() -> None:
    rules = FidelityRules(
        maps=(
            MapRule("test-results", "isStanding", "occurrenceTiming", "repeats", {"true": "*"}),
            MapRule("test-results", "preferredIn", "extension:iso21090-preferred", "flag"),
        )
    )
    request = {"resourceType": "ServiceRequest", "occurrenceTiming": {"code": {"text": "Every 4 weeks"}}}
    address = {
        "extension": [{"url": "http://hl7.org/fhir/StructureDefinition/iso21090-preferred", "valueBoolean": True}]
    }
    patient = {"resourceType": "Patient", "address": [address]}
    assert _check({"isStanding": True, "preferredIn": True}, [request, patient], rules) == []
    assert _check({"isStanding": True}, [{"resourceType": "ServiceRequest", "occurrencePeriod": {}}], rules)
    assert _check({"preferredIn": False}, [patient], rules) == ["test-results [unit] preferredIn = False"]


def test_html_compares_by_visible_text_also_inside_base64_attachments() -> None:
    comment = "<p>Potassium is <b>slightly high</b>;<script>alert(1)</script> recheck.</p>"
    html = base64.b64encode(b"<div><p>Potassium is <i>slightly high</i>; recheck.</p></div>").decode()
    report = {"resourceType": "DiagnosticReport", "presentedForm": [{"contentType": "text/html", "data": html}]}
    assert _check({"comment": comment}, [report]) == []
    assert _check({"comment": "<p>Potassium is <b>very</b> high</p>"}, [report])


def test_comparator_values_phone_parts_and_zip_codes_match_their_fhir_forms() -> None:
    observation = _observation(valueQuantity={"value": 90, "comparator": ">"})
    patient = {
        "resourceType": "Patient",
        "telecom": [{"system": "phone", "value": "707-555-0126"}],
        "address": [{"postalCode": "02139-0004"}],
    }
    raw = {"value": ">90", "phone": {"area": 707, "exchange": 555, "subscriber": 126}, "postalCode": 21390004}
    assert _check(raw, [observation, patient]) == []
    assert _check({"value": "<90"}, [observation])


def test_dropped_and_mapped_rules_account_for_leaves_and_a_failed_mapping_is_missing() -> None:
    rules = FidelityRules(
        drops=(
            DropRule("test-results", "*.isAbnormal", "UI badge"),
            DropRule("test-results", "end", "x", "9999-12-31"),
        ),
        maps=(MapRule("test-results", "sex", "gender", "code", {"F": "female"}),),
    )
    patient = {"resourceType": "Patient", "gender": "female"}
    raw = {"r": {"isAbnormal": True}, "sex": "F", "end": "9999-12-31"}
    tally = check_unit("test-results", "unit", raw, OutputIndex([patient]), rules)
    assert (tally.carried, tally.dropped, tally.missing) == (1, 2, [])
    assert tally.percent == 100.0
    assert _check({"sex": "F", "end": "2020-01-01"}, [{"resourceType": "Patient", "gender": "male"}], rules) == [
        "test-results [unit] sex = 'F'",
        "test-results [unit] end = '2020-01-01'",
    ]


def test_boolean_flags_are_found_in_extensions_named_after_them() -> None:
    request = {
        "resourceType": "MedicationRequest",
        "extension": [{"url": "urn:fhirgate:kaiser:extension:auto-refill", "valueBoolean": False}],
    }
    assert _check({"autoRefill": False}, [request]) == []
    assert _check({"autoRefill": True}, [request])


def test_blank_and_null_leaves_are_not_counted() -> None:
    leaves = list(raw_leaves({"a": None, "b": "", "c": "  ", "d": [], "e": "<p></p>", "f": 0}))
    assert [(leaf.path, leaf.value) for leaf in leaves] == [("f", 0)]


def test_the_reviewed_dropped_list_loads_and_every_entry_has_a_reason() -> None:
    rules = load_rules()
    assert rules.drops and rules.maps
    assert all(rule.reason for rule in rules.drops) and all(rule.reason for rule in rules.maps)


def test_epic_instants_and_display_times_compare_by_meaning() -> None:
    encounter = {"resourceType": "Encounter", "period": {"start": "2026-10-27T11:30:00-07:00"}}
    raw = {
        "Instant": "/Date(1793125800000)/",
        "Date": "Tuesday October 27, 2026",
        "Short": "10/27/26",
        "Time": "11:30 AM",
    }
    assert _check(raw, [encounter]) == []
    assert _check({"Instant": "/Date(1793125860000)/"}, [encounter])


def test_a_unit_with_no_word_in_it_is_compared_as_is() -> None:
    observation = _observation(valueQuantity={"value": 5.4, "unit": "%"})
    assert _check({"units": "%"}, [observation]) == []
    assert _check({"units": "‰"}, [observation])


def test_leaf_paths_name_list_items_and_id_keys_generically() -> None:
    raw = {"orderList": {"WP-24abc": {"isPRN": False}, "52097225": {"name": "x"}}, "items": [{"a": 1}]}
    paths = [leaf.path for leaf in raw_leaves(raw)]
    assert paths == ["orderList.<key>.isPRN", "orderList.<key>.name", "items[].a"]
