"""Conformance over the ``small`` sandbox patient: 0 validation errors (validators 1 and 2, US Core, facade)."""

from __future__ import annotations

import re

import pytest

from conformance.__main__ import main
from conformance.pipeline import ConformanceReport
from conformance.table import render_report
from translators import fhir_json


@pytest.fixture
def small(small_report: ConformanceReport) -> ConformanceReport:
    return small_report


def test_small_patient_has_no_validation_findings(small: ConformanceReport) -> None:
    assert small.findings == []
    assert small.ok


def test_every_translated_type_was_validated_and_served(small: ConformanceReport) -> None:
    assert {"Patient", "DiagnosticReport", "Observation", "MedicationRequest"} <= set(small.rows)
    assert all(row.count > 0 for row in small.rows.values())
    assert small.facade.served + small.facade.read >= small.resources and 0 < small.facade.served <= small.resources
    generated = {resource["resourceType"] for _, resource in small.facade.generated}
    assert {"CapabilityStatement", "Bundle", "OperationOutcome"} <= generated


def test_fidelity_is_reported_per_surface(small: ConformanceReport) -> None:
    assert {"profile", "test-results", "medications"} <= set(small.fidelity)
    assert all(tally.total > 0 for tally in small.fidelity.values())
    table = render_report(small)
    assert "fidelity" in table and "PASS" in table


def test_every_portal_leaf_of_the_small_patient_is_carried_or_a_reviewed_drop(small: ConformanceReport) -> None:
    missing = [line for tally in small.fidelity.values() for line in tally.missing]

    assert missing == []
    assert all(tally.percent == 100.0 for tally in small.fidelity.values())


def test_trailing_zeros_of_portal_decimals_reach_the_json_text(small: ConformanceReport) -> None:
    # The facade check compares served text exactly, so these survived the store and the facade too.
    text = fhir_json.dumps(small.run.resources("test-results"))

    assert re.search(r'"value":\d+\.\d*0[,}]', text), "the small patient should have a decimal like 1.030"


def test_unsupported_size_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--size", "no-such-size"]) == 2
    assert "does not offer size 'no-such-size'" in capsys.readouterr().err
