"""The conformance run: generate the sandbox patient, translate every surface, validate, check fidelity and
the facade, and gather it all in one :class:`ConformanceReport`."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.dropped import FidelityRules, load_rules
from conformance.facade_check import FacadeFindings, check_facade
from conformance.fidelity import FidelityTally, check_unit
from conformance.medplum import validate_with_medplum
from conformance.model_check import model_errors
from conformance.output_index import OutputIndex
from conformance.surfaces import SurfaceRun, translate_patient
from conformance.us_core_check import us_core_errors
from sandbox.patient import SyntheticPatient, generate_patient
from translators import fhir_json

__all__ = ["ConformanceReport", "TypeRow", "run_conformance"]

log = logging.getLogger("fhirgate.conformance")


@dataclass
class TypeRow:
    resource_type: str
    count: int = 0
    model_errors: int = 0
    medplum_errors: int = 0
    us_core_errors: int = 0
    us_core_claims: int = 0
    surfaces: set[str] = field(default_factory=set)


@dataclass
class ConformanceReport:
    size: str
    seed: int
    rows: dict[str, TypeRow] = field(default_factory=dict)
    fidelity: dict[str, FidelityTally] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    """Every validation error, one line each (what, where, why)."""
    translator_warnings: list[str] = field(default_factory=list)
    facade: FacadeFindings = field(default_factory=FacadeFindings)
    run: SurfaceRun = field(default_factory=SurfaceRun)
    """What every surface yielded, with the raw JSON it read."""
    resources: int = 0
    direct_resources: int = 0
    """Resources of the directly translated surfaces (the translation rate's numerator)."""
    translate_seconds: float = 0.0
    synced_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def rate(self) -> float:
        """Resources per second of the direct translator calls (each includes the translators' own model gate)."""
        return self.direct_resources / self.translate_seconds if self.translate_seconds > 0 else 0.0


def _label(resource: dict[str, Any]) -> str:
    return f"{resource.get('resourceType')}/{resource.get('id')}"


def _fingerprint(run: SurfaceRun, only: list[str] | None = None) -> str:
    return fhir_json.dumps([run.resources(name) for name in (only if only is not None else run.units)])


def _validate(report: ConformanceReport, run: SurfaceRun, facade_resources: list[tuple[str, dict[str, Any]]]) -> None:
    translated = [(surface, r) for surface in run.units for r in run.resources(surface)]
    batch = [r for _, r in translated] + [r for _, r in facade_resources]
    medplum = validate_with_medplum(batch)
    for (surface, resource), issues in zip(translated, medplum, strict=False):
        row = report.rows.setdefault(resource["resourceType"], TypeRow(resource["resourceType"]))
        row.count += 1
        row.surfaces.add(surface)
        for error in model_errors(resource):
            row.model_errors += 1
            report.findings.append(f"validator 1 {_label(resource)}: {error}")
        for issue in issues:
            row.medplum_errors += 1
            report.findings.append(f"validator 2 {_label(resource)}: {issue}")
        if resource.get("meta", {}).get("profile"):
            row.us_core_claims += 1
        for error in us_core_errors(resource):
            row.us_core_errors += 1
            report.findings.append(f"US Core {_label(resource)}: {error}")
    for (request, resource), issues in zip(facade_resources, medplum[len(translated) :], strict=True):
        for error in model_errors(resource, round_trip=False):
            report.findings.append(f"facade validator 1 {request} -> {resource.get('resourceType')}: {error}")
        for issue in issues:
            report.findings.append(f"facade validator 2 {request} -> {resource.get('resourceType')}: {issue}")


def _fidelity(report: ConformanceReport, run: SurfaceRun, rules: FidelityRules) -> None:
    for surface, units in run.units.items():
        tally = FidelityTally()
        for unit in units:
            tally.add(check_unit(surface, unit.label, unit.raw, OutputIndex(unit.result.resources), rules))
        report.fidelity[surface] = tally


def _duplicates(report: ConformanceReport, resources: Iterable[dict[str, Any]]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for resource in resources:
        label = _label(resource)
        if label in seen and seen[label] != resource:
            report.findings.append(f"identity {label}: emitted twice with different content")
        seen[label] = resource


def run_conformance(
    size: str = "small", seed: int = 1, *, patient: SyntheticPatient | None = None, rules: FidelityRules | None = None
) -> ConformanceReport:
    """Run the whole suite on the sandbox patient of ``size``/``seed`` (or on ``patient`` when given).

    Raises ``ValueError`` when the generator does not offer ``size``.
    """
    patient = patient if patient is not None else generate_patient(seed, size)  # type: ignore[arg-type]
    report = ConformanceReport(size=size, seed=seed)
    first = translate_patient(patient, portal=False)  # also warms the models up before the timed run
    run = report.run = translate_patient(patient)
    report.resources = len(run.resources())
    report.direct_resources, report.translate_seconds = run.direct_resources(), run.direct_seconds
    report.synced_seconds = run.synced_seconds
    log.info("event=translated resources=%d seconds=%.3f", report.resources, report.translate_seconds)
    if _fingerprint(first) != _fingerprint(run, only=list(first.units)):
        report.findings.append("determinism: translating the same patient twice gave different JSON")
    report.findings.extend(f"coverage: surface {line}" for line in run.failed_surfaces)
    report.translator_warnings = [str(w) for units in run.units.values() for u in units for w in u.result.warnings]
    _duplicates(report, run.resources())
    report.facade = check_facade({surface: run.resources(surface) for surface in run.units})
    report.findings.extend(f"facade: {line}" for line in report.facade.mismatches)
    _validate(report, run, report.facade.generated)
    _fidelity(report, run, rules if rules is not None else load_rules())
    return report
