"""Chained (``subject:Patient.name=x``, ``patient.family=x``) and reverse-chained (``_has:Observation:patient:
code=x``) parameters, one level deep: parsed into a filter whose value holds the inner filter.

A chain is a filter on the reference parameter (its value: the matching targets); ``_has`` is a filter on
``_id`` (its value: the ids some matching source points at). So both run on the index like any filter.
Negated inner filters (``:not``, ``:missing``) and deeper chains are refused rather than half-supported.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.search.definitions import SearchParamType
from gateway.search.errors import UnsupportedSearchError
from gateway.search.parameters import SEARCHABLE_RESOURCE_TYPES, lookup_parameter, parameters_for
from gateway.search.request import ChainValue, HasValue, SearchFilter

InnerParser = Callable[[str, str, str], SearchFilter | None]
"""``(resource_type, key, raw)`` -> the filter (None: no value given), as the plain parser does."""


def is_chained(key: str) -> bool:
    """True for ``_has:...`` keys and keys with a ``.`` (a chain)."""
    return key.startswith("_has:") or "." in key


def _plain_inner(parse: InnerParser, resource_type: str, key: str, raw: str) -> SearchFilter | None:
    if is_chained(key):
        raise UnsupportedSearchError(f"Chains are supported one level deep, not {key!r}")
    inner = parse(resource_type, key, raw)
    if inner is not None and inner.negated:
        raise UnsupportedSearchError(f"{key!r} cannot be used inside a chain or _has")
    return inner


def parse_chain(resource_type: str, key: str, raw: str, parse: InnerParser) -> SearchFilter | None:
    """``ref[:Type].param[:modifier]=raw`` on ``resource_type``."""
    head, _, tail = key.partition(".")
    name, _, type_modifier = head.partition(":")
    reference = lookup_parameter(resource_type, name)
    if reference.type is not SearchParamType.REFERENCE:
        raise UnsupportedSearchError(f"{name!r} is not a reference parameter, so it cannot be chained")
    inner_name = tail.partition(":")[0]
    candidates = (type_modifier,) if type_modifier else reference.targets
    if type_modifier and type_modifier not in reference.targets:
        raise UnsupportedSearchError(f"{type_modifier!r} is not a target of {name!r}")
    targets = tuple(
        t for t in candidates if t in SEARCHABLE_RESOURCE_TYPES and any(p.name == inner_name for p in parameters_for(t))
    )
    if not targets:
        raise UnsupportedSearchError(f"No target of {name!r} has a search parameter {inner_name!r}")
    inner = _plain_inner(parse, targets[0], tail, raw)
    if inner is None:
        return None
    kinds = {lookup_parameter(t, inner_name).type for t in targets}
    if len(kinds) > 1:
        raise UnsupportedSearchError(f"{name}.{inner_name} is ambiguous: name the target type ({name}:Type.{tail})")
    return SearchFilter(reference, None, (ChainValue(targets, inner),), raw, spelled=key)


def parse_has(resource_type: str, key: str, raw: str, parse: InnerParser) -> SearchFilter | None:
    """``_has:Source:reference:param[:modifier]=raw``: resources of ``resource_type`` some Source points at."""
    parts = key.split(":")
    if len(parts) not in (4, 5):
        raise UnsupportedSearchError(f"_has takes _has:Type:reference:parameter, not {key!r}")
    _, source_type, reference_name, *inner_key = parts
    if source_type not in SEARCHABLE_RESOURCE_TYPES:
        raise UnsupportedSearchError(f"_has: resource type {source_type!r} is not searchable")
    reference = lookup_parameter(source_type, reference_name)
    if reference.type is not SearchParamType.REFERENCE or resource_type not in reference.targets:
        raise UnsupportedSearchError(f"_has: {source_type}:{reference_name} cannot point at {resource_type}")
    inner = _plain_inner(parse, source_type, ":".join(inner_key), raw)
    if inner is None:
        return None
    value = HasValue(source_type, reference_name, resource_type, inner)
    return SearchFilter(lookup_parameter(resource_type, "_id"), None, (value,), raw, spelled=key)
