"""The CapabilityStatement, generated from the search-parameter table so the two cannot disagree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from gateway.facade.smart import security_block
from gateway.facade.terminology import capability_entry as concept_map_entry
from gateway.search import (
    READ_ONLY_TYPES,
    SEARCH_PARAMETERS,
    SERVED_RESOURCE_TYPES,
    SearchParamType,
    parameters_for,
)

EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
_RESULT_PARAMETERS = ("_count", "_sort", "_include", "_revinclude", "_summary", "_elements", "_total", "_format")


def _includes(resource_type: str) -> list[str]:
    named = [f"{resource_type}:{p.name}" for p in parameters_for(resource_type) if p.type is SearchParamType.REFERENCE]
    return [*named, "*"] if named else []  # `*` (or `Type:*`): every reference parameter at once


def _revincludes(resource_type: str) -> list[str]:
    return [
        f"{p.resource_type}:{p.name}"
        for p in SEARCH_PARAMETERS
        if p.type is SearchParamType.REFERENCE and resource_type in p.targets
    ]


def _resource(resource_type: str, operations: Mapping[str, Sequence[dict[str, str]]]) -> dict[str, Any]:
    interactions = ["read", "vread", "history-instance"]
    entry: dict[str, Any] = {"type": resource_type, "versioning": "versioned", "readHistory": True}
    entry["conditionalRead"] = "full-support"
    if resource_type in READ_ONLY_TYPES:
        entry["interaction"] = [{"code": code} for code in interactions]
        return entry
    entry["interaction"] = [{"code": code} for code in (*interactions, "search-type")]
    entry["searchInclude"] = _includes(resource_type)
    entry["searchRevInclude"] = _revincludes(resource_type)
    entry["searchParam"] = [
        {"name": p.name, "type": p.type.value, "documentation": p.description} for p in parameters_for(resource_type)
    ]
    declared = [{"name": "everything", "definition": EVERYTHING}] if resource_type == "Patient" else []
    declared += list(operations.get(resource_type, ()))
    if declared:
        entry["operation"] = declared
    return entry


def build_capability_statement(
    *,
    date: datetime,
    cors: bool = False,
    operations: Mapping[str, Sequence[dict[str, str]]] | None = None,
    system_operations: Sequence[dict[str, str]] = (),
) -> dict[str, Any]:
    """The server's CapabilityStatement (FHIR 4.0.1, JSON only, read-only REST, SMART security block).

    ``operations``: extra operations per resource type (the guarded writes, when enabled);
    ``system_operations``: extra system-level ones (Bulk Data ``$export``, when enabled)."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date.isoformat(timespec="seconds"),
        "publisher": "fhirgate",
        "kind": "instance",
        "software": {"name": "fhirgate"},
        "implementation": {"description": "fhirgate local FHIR facade over the Kaiser record"},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read-only but for the guarded write operations: the record is Kaiser's. "
                "Result parameters: " + ", ".join(_RESULT_PARAMETERS) + ". Chained parameters (ref[:Type].param) and"
                " reverse chains (_has:Type:ref:param) one level deep; composite parameters; the Patient compartment"
                " (Patient/{id}/{type}?...); :identifier on references, :above/:below on URIs, :of-type on"
                " identifiers.",
                "compartment": ["http://hl7.org/fhir/CompartmentDefinition/patient"],
                "security": security_block(cors=cors),
                "resource": [*(_resource(t, operations or {}) for t in SERVED_RESOURCE_TYPES), concept_map_entry()],
                "interaction": [{"code": "search-system"}],
                "searchParam": [
                    {"name": "_type", "type": "token", "documentation": "Resource types to search (required)"}
                ],
                "operation": [{"name": "everything", "definition": EVERYTHING}, *system_operations],
            }
        ],
    }
