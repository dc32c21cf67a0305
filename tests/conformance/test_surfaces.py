"""The surfaces follow the sync table: direct adapters where written, the real sync through the sandbox otherwise."""

from __future__ import annotations

from conformance.pipeline import ConformanceReport
from conformance.surfaces import ADAPTERS, translate_patient
from gateway.kaiser.surfaces.table import SURFACE_NAMES
from sandbox.patient import generate_patient


def test_every_sync_surface_is_translated_in_sync_order(small_report: ConformanceReport) -> None:
    run = small_report.run
    assert run.failed_surfaces == []
    assert list(run.units) == list(SURFACE_NAMES)
    assert {r["resourceType"] for r in run.resources("test-results")} == {"DiagnosticReport", "Observation"}


def test_surfaces_without_an_adapter_record_the_json_the_portal_answered(small_report: ConformanceReport) -> None:
    synced = [name for name in SURFACE_NAMES if name not in ADAPTERS]
    assert synced, "the sync table has surfaces beyond the directly translated ones"
    for name in synced:
        (unit,) = small_report.run.units[name]
        assert unit.raw, f"{name}: no portal JSON recorded"


def test_direct_only_run_translates_just_the_adapted_surfaces() -> None:
    run = translate_patient(generate_patient(1), portal=False)
    assert list(run.units) == [name for name in SURFACE_NAMES if name in ADAPTERS]
    assert run.synced_seconds == 0.0 and run.direct_resources() == len(run.resources())
