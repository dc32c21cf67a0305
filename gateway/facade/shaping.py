"""``_summary`` and ``_elements``: trimming stored resources to the elements asked for, tagged SUBSETTED.

Which elements are "summary" or mandatory comes from the R4 definitions the fhir.resources models carry.
Untrimmed resources are never parsed: the stored text is served as-is.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from gateway.search import SummaryMode
from translators import fhir_json

_ALWAYS = ("resourceType", "id", "meta")
SUBSETTED = {"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "SUBSETTED"}


@lru_cache(maxsize=64)
def _element_sets(resource_type: str) -> tuple[frozenset[str], frozenset[str]]:
    """``(summary elements, mandatory elements)`` of ``resource_type`` as JSON keys."""
    from fhir.resources.R4B import get_fhir_model_class  # heavy import, only when trimming is asked for

    try:
        model = get_fhir_model_class(resource_type)
    except (KeyError, ValueError, AttributeError):
        return frozenset(), frozenset()
    summary: set[str] = set()
    mandatory: set[str] = set()
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        key = field.alias or name
        if extra.get("summary_element_property"):
            summary.add(key)
        if field.is_required() or extra.get("element_required") or extra.get("one_of_many_required"):
            mandatory.add(key)
    return frozenset(summary), frozenset(mandatory)


def _keep(resource: dict[str, Any], summary: SummaryMode | None, elements: Sequence[str]) -> set[str] | None:
    resource_type = str(resource.get("resourceType", ""))
    summary_set, mandatory = _element_sets(resource_type)
    if elements:
        return {*_ALWAYS, *mandatory, *elements}
    if summary is SummaryMode.TRUE:
        return {*_ALWAYS, *summary_set, *mandatory}
    if summary is SummaryMode.TEXT:
        return {*_ALWAYS, "text", *mandatory}
    if summary is SummaryMode.DATA:
        return {key for key in resource if key != "text"}
    return None


def _is_kept(key: str, keep: set[str]) -> bool:
    # choice elements (value[x]) are listed by their base name in _elements and by full name in the models
    return (
        key in keep
        or (key.startswith("_") and key[1:] in keep)
        or any(key.startswith(k) and key[len(k) : len(k) + 1].isupper() for k in keep)
    )


def shape(json_text: str, summary: SummaryMode | None, elements: Sequence[str]) -> str:
    """``json_text`` trimmed per ``_summary``/``_elements`` (``elements`` wins), or unchanged when neither is set."""
    if summary is None and not elements:
        return json_text
    resource = fhir_json.loads(json_text)  # decimals keep their digits ("1.50") through the trim
    keep = _keep(resource, summary, elements)
    if keep is None:
        return json_text
    trimmed = {k: v for k, v in resource.items() if _is_kept(k, keep)}
    meta = dict(trimmed.get("meta") or {})
    meta["tag"] = [*(meta.get("tag") or []), SUBSETTED]
    trimmed["meta"] = meta
    return fhir_json.dumps(trimmed)
