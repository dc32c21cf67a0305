"""Checking a practice search against what the practice's CapabilityStatement declares, before it is sent.

The Kaiser facade validates every parameter itself (a 400 the model reads as a `ToolError`); a
practice's server may instead ignore what it does not know, or refuse `_sort` so that the answer
falls back to its own order. Where the practice declares its search parameters for a type, a
parameter (or a `_sort` key) outside that list is refused here with the list the server gave.
Where it declares none, nothing is checked: the server decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["declared_parameters", "undeclared_parameters"]

_COMMON = frozenset({"_id", "_lastUpdated"})
"""Parameters every resource type has in FHIR R4, listed or not."""


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def declared_parameters(capability: Mapping[str, Any], resource_type: str) -> frozenset[str] | None:
    """The search parameter names the server declares for `resource_type` (with the ones every type has),
    or None when it declares none for that type (then nothing can be checked)."""
    rests = _dicts(capability.get("rest"))
    rest = next((r for r in rests if r.get("mode") == "server"), rests[0] if rests else {})
    entry = next((r for r in _dicts(rest.get("resource")) if r.get("type") == resource_type), None)
    names = {str(p.get("name")) for p in _dicts((entry or {}).get("searchParam")) if p.get("name")}
    if not names:
        return None
    names |= {str(p.get("name")) for p in _dicts(rest.get("searchParam")) if p.get("name")}
    return frozenset(names | _COMMON)


def undeclared_parameters(declared: frozenset[str], params: Sequence[tuple[str, str]]) -> list[str]:
    """The parameter names (and `_sort` keys, as `_sort=key`) of `params` outside `declared`, in order."""
    refused: list[str] = []
    for name, value in params:
        base = name.partition(":")[0]
        if base == "_sort":
            keys = [key.strip().removeprefix("-") for key in value.split(",") if key.strip()]
            refused += [f"_sort={key}" for key in keys if key not in declared]
        elif not base.startswith("_") and base not in declared:  # `_has`, `_tag`, ...: often served, rarely listed
            refused.append(base)
    return list(dict.fromkeys(refused))
