"""Searches a SMART practice will answer: the patient named, result controls done here.

eClinicalWorks declares `patient` on every clinical type and no `_sort`, `_total` or `_count`,
and apps that work with it always send `patient=<id>`. For a SMART source, every search of a
patient-compartment type names the token's patient (`_id` for `Patient` itself), and `_sort`,
`_total` and `_count=0` are never sent: the client reads every page (bounded) and sorts and
counts the matches itself, saying so in an `OperationOutcome` entry of the Bundle it returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLIENT_SIDE_NOTE",
    "COMPARTMENT_TYPES",
    "ResultPlan",
    "assembled_bundle",
    "plan_results",
    "sorted_matches",
    "with_patient",
]

#: Types searched by `patient=<id>` (FHIR R4 Patient compartment, as US Core and eCW use it).
COMPARTMENT_TYPES = frozenset(
    {
        "AllergyIntolerance",
        "Appointment",
        "CarePlan",
        "CareTeam",
        "ClinicalImpression",
        "Communication",
        "Condition",
        "Coverage",
        "Device",
        "DiagnosticReport",
        "DocumentReference",
        "Encounter",
        "FamilyMemberHistory",
        "Goal",
        "Immunization",
        "MedicationAdministration",
        "MedicationDispense",
        "MedicationRequest",
        "MedicationStatement",
        "Observation",
        "Procedure",
        "Provenance",
        "QuestionnaireResponse",
        "ServiceRequest",
        "Task",
    }
)
#: Parameters that already say whose record a search is about.
_PATIENT_PARAMS = frozenset({"patient", "subject", "beneficiary", "_id"})
CLIENT_SIDE_NOTE = "this practice does not promise _sort or _total: fhirgate read every page and {what} itself"

# Sort parameter -> elements holding its value, first present wins (FHIR R4 search parameter paths).
_SORT_PATHS: dict[str, tuple[str, ...]] = {
    "date": (
        "effectiveDateTime",
        "effectivePeriod.start",
        "effectiveInstant",
        "occurrenceDateTime",
        "performedDateTime",
        "performedPeriod.start",
        "period.start",
        "start",
        "date",
        "recordedDate",
        "onsetDateTime",
        "authoredOn",
        "issued",
        "sent",
        "created",
    ),
    "authoredon": ("authoredOn",),
    "onset-date": ("onsetDateTime", "onsetPeriod.start"),
    "recorded-date": ("recordedDate",),
    "sent": ("sent",),
    "issued": ("issued",),
    "period": ("period.start",),
    "_lastUpdated": ("meta.lastUpdated",),
}


def with_patient(resource_type: str, pairs: Sequence[tuple[str, str]], patient_id: str | None) -> list[tuple[str, str]]:
    """`pairs` plus `patient=<id>` (or `_id=<id>` for Patient) unless they already name a patient."""
    result = list(pairs)
    if patient_id is None or any(name.split(":")[0] in _PATIENT_PARAMS for name, _ in result):
        return result
    if resource_type == "Patient":
        result.append(("_id", patient_id))
    elif resource_type in COMPARTMENT_TYPES:
        result.append(("patient", patient_id))
    return result


@dataclass(frozen=True)
class ResultPlan:
    """What is sent to the server, and what the client does with the matches afterwards."""

    server_params: tuple[tuple[str, str], ...]
    sort: tuple[tuple[str, bool], ...] = ()
    """(parameter, descending) pairs, most significant first."""
    total: bool = False
    count_only: bool = False

    @property
    def client_side(self) -> bool:
        return bool(self.sort) or self.total or self.count_only


def plan_results(pairs: Iterable[tuple[str, str]]) -> ResultPlan:
    """Split `_sort`, `_total` and `_count=0` out of a search; the rest goes to the server."""
    server: list[tuple[str, str]] = []
    sort: list[tuple[str, bool]] = []
    total = count_only = False
    for name, value in pairs:
        if name == "_sort":
            keys = [key.strip() for key in value.split(",") if key.strip()]
            sort.extend((key.lstrip("-"), key.startswith("-")) for key in keys)
        elif name == "_total":
            total = value != "none"
        elif name == "_count" and value.strip() == "0":
            count_only = True
        else:
            server.append((name, value))
    if sort or total or count_only:  # every page is read anyway: the server's page size is left alone
        server = [(name, value) for name, value in server if name != "_count"]
    return ResultPlan(tuple(server), tuple(sort), total, count_only)


def _value(resource: dict[str, Any], path: str) -> str | None:
    node: Any = resource
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, str) else None


def _sort_value(resource: dict[str, Any], param: str) -> str | None:
    for path in _SORT_PATHS.get(param, (param,)):
        if (found := _value(resource, path)) is not None:
            return found
    return None


def sorted_matches(matches: list[dict[str, Any]], sort: Sequence[tuple[str, bool]]) -> list[dict[str, Any]]:
    """`matches` ordered by `sort` (stable; resources without a value go last either way)."""
    ordered = list(matches)
    for param, descending in reversed(sort):
        present = [m for m in ordered if _sort_value(m, param) is not None]
        absent = [m for m in ordered if _sort_value(m, param) is None]
        present.sort(key=lambda m: _sort_value(m, param) or "", reverse=descending)
        ordered = present + absent
    return ordered


def assembled_bundle(
    matches: list[dict[str, Any]],
    included: list[dict[str, Any]],
    plan: ResultPlan,
    *,
    complete: bool,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """One searchset Bundle of every match read, sorted and counted here, with notes saying so."""
    rows = [] if plan.count_only else sorted_matches(matches, plan.sort)
    done = [w for w, asked in (("sorted", bool(plan.sort)), ("counted", plan.total or plan.count_only)) if asked]
    texts = [CLIENT_SIDE_NOTE.format(what=" and ".join(done))] if done else []
    if not complete:
        texts.append(f"only the first {len(matches)} matches were read; the rest were not sorted or counted")
    texts.extend(notes)
    entry: list[dict[str, Any]] = [{"resource": r, "search": {"mode": "match"}} for r in rows]
    if not plan.count_only:
        entry += [{"resource": r, "search": {"mode": "include"}} for r in included]
    entry += [
        {
            "resource": {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": "information", "code": "informational", "diagnostics": text}],
            },
            "search": {"mode": "outcome"},
        }
        for text in texts
    ]
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset", "entry": entry}
    if complete:
        bundle["total"] = len(matches)
    return bundle
