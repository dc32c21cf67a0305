"""Rendering one resource for the model: compact JSON, fenced, within a character budget.

Over budget, the bulky parts go first: base64 attachment `data`, then the XHTML narrative;
what was elided is always said. Only if the resource is still too large is the JSON cut.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mcp_server.rows.search_page import DEFAULT_CHAR_BUDGET
from mcp_server.untrusted.fencing import fence

__all__ = [
    "FittedResource",
    "compact_json",
    "elide_attachment_data",
    "fit_resource",
    "render_fitted",
    "render_resource",
]

_ATTACHMENT_KEYS = frozenset({"contentType", "url", "size", "title", "hash", "language", "creation"})


def compact_json(value: Any) -> str:
    """JSON without insignificant whitespace, non-ASCII kept as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def elide_attachment_data(value: Any) -> tuple[Any, int]:
    """A copy with every Attachment/Binary `data` replaced by a placeholder; and how many."""
    if isinstance(value, list):
        copied = [elide_attachment_data(item) for item in value]
        return [item for item, _ in copied], sum(count for _, count in copied)
    if not isinstance(value, Mapping):
        return value, 0
    result: dict[str, Any] = {}
    count = 0
    is_attachment = isinstance(value.get("data"), str) and bool(_ATTACHMENT_KEYS & value.keys())
    for key, item in value.items():
        if is_attachment and key == "data":
            result[key] = f"<elided: {len(item)} base64 characters>"
            count += 1
        else:
            result[key], inner = elide_attachment_data(item)
            count += inner
    return result, count


def _drop_narrative(resource: dict[str, Any]) -> bool:
    text = resource.get("text")
    if isinstance(text, dict) and "div" in text:
        resource["text"] = {**{k: v for k, v in text.items() if k != "div"}, "div": "<elided narrative>"}
        return True
    return False


@dataclass(frozen=True)
class FittedResource:
    """One resource made to fit a character budget: the JSON shown, and what had to go."""

    reference: str
    body: str
    notes: tuple[str, ...]
    resource: dict[str, Any] | None
    """The resource as shown (attachment data and narrative possibly elided); None when the JSON was cut."""


def fit_resource(resource: Mapping[str, Any], *, char_budget: int = DEFAULT_CHAR_BUDGET) -> FittedResource:
    """`resource` as compact JSON within `char_budget`: attachment data, then narrative elided, then cut."""
    ref = f"{resource.get('resourceType')}/{resource.get('id')}"
    shown: dict[str, Any] = dict(resource)
    body = compact_json(shown)
    notes: list[str] = []
    if len(body) > char_budget:
        shown, count = elide_attachment_data(resource)
        if count:
            notes.append(f"{count} attachment data field(s) elided (binary content, not readable here)")
        if len(compact_json(shown)) > char_budget and _drop_narrative(shown):
            notes.append("the XHTML narrative (text.div) elided; the structured elements carry the same data")
        body = compact_json(shown)
    if len(body) > char_budget:
        notes.append(
            f"JSON cut at {char_budget} of {len(body)} characters, so it is incomplete; fetch specific "
            f'elements with fhir_search(params={{"_id": "{resource.get("id")}", "_elements": "a,b"}})'
        )
        return FittedResource(ref, body[:char_budget], tuple(notes), None)
    return FittedResource(ref, body, tuple(notes), shown)


def render_resource(resource: Mapping[str, Any], *, source: str, char_budget: int = DEFAULT_CHAR_BUDGET) -> str:
    """`Type/id` from `source` as fenced compact JSON, elided or cut to fit `char_budget`."""
    return render_fitted(fit_resource(resource, char_budget=char_budget), source=source)


def render_fitted(fitted: FittedResource, *, source: str) -> str:
    header = f"{fitted.reference} from {source} ({len(fitted.body)} characters of FHIR JSON)."
    if fitted.notes:
        header += " Elided to fit the output budget: " + "; ".join(fitted.notes) + "."
    return f"{header}\n{fence(fitted.body, what='resource JSON')}"
