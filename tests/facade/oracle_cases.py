"""Search cases generated from the parameter table and the stored data, with what the independent oracle
(``search_oracle``) says each must return: every parameter of every type present, each modifier its type
takes, every comparison prefix, composites, chains and ``_has``.

The table gives only the *names and element paths* to try (and is itself checked against R4 in the named
semantics tests); which resources match is decided by the oracle alone. ``python -m tests.facade.oracle_cases``
prints the number of cases per parameter type for the ``small`` and (sampled) ``large`` patient.
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

from gateway.search import SEARCHABLE_RESOURCE_TYPES, SearchParameter, SearchParamType, parameters_for
from tests.facade.search_oracle import (
    Spec,
    elements_at,
    filter_matches,
    reference_nodes,
    string_parts,
    timing_or_span,
    token_texts,
    tokens_of,
)

Resources = dict[str, list[dict[str, Any]]]
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
_SPECIAL = set(",|$\\")


@dataclass(frozen=True)
class Case:
    """One search: ``GET /{resource_type}?{key}={raw}``; ``oracle()`` gives the ids it must return (computed
    only for the cases run, since a sampled run keeps few)."""

    kind: str
    resource_type: str
    key: str
    raw: str
    oracle: Callable[[], frozenset[str]]


def spec_of(param: SearchParameter) -> Spec:
    if param.type is SearchParamType.COMPOSITE:
        parts = tuple(f"{kind.value}:{path}" for kind, path in param.components)
        return ("composite", tuple(param.paths.split("|")), parts)
    return (param.type.value, tuple(param.paths.split("|")), param.targets)


def _nodes(resources: list[dict[str, Any]], param: SearchParameter) -> list[Any]:
    return [n for r in resources for path in param.paths.split("|") for n in elements_at(r, path)]


def _plain(text: str) -> bool:
    return bool(text) and not (_SPECIAL & set(text))


def _pick(rng: random.Random, items: list[Any], count: int) -> list[Any]:
    unique = list({repr(item): item for item in items}.values())
    return rng.sample(unique, min(count, len(unique)))


def _token_values(rng: random.Random, nodes: list[Any]) -> Iterator[tuple[str, str]]:
    for system, code in _pick(rng, [p for n in nodes for p in tokens_of(n) if _plain(p[1])], 2):
        yield "", code
        if system is not None and _plain(system):
            yield "", f"{system}|{code}"
            yield "", f"{system}|"
            yield "not", f"{system}|{code}"
        else:
            yield "", f"|{code}"
            yield "not", code
    for text in _pick(rng, [t for n in nodes for t in token_texts(n) if len(t) >= 3], 1):
        if _plain(text[:3]):
            yield "text", text[:3].lower()
    for node in _pick(rng, [n for n in nodes if isinstance(n, dict) and "type" in n and "value" in n], 1):
        for coding in node["type"].get("coding", [])[:1]:
            if all(_plain(str(coding.get(k, ""))) for k in ("system", "code")) and _plain(node["value"]):
                yield "of-type", f"{coding['system']}|{coding['code']}|{node['value']}"


def _string_values(rng: random.Random, nodes: list[Any]) -> Iterator[tuple[str, str]]:
    for text in _pick(rng, [p for n in nodes for p in string_parts(n) if _plain(p) and len(p.strip()) >= 3], 2):
        yield "", text
        yield "", text[:3].upper()
        yield "exact", text
        yield "exact", text.lower() if text.lower() != text else text.upper()
        yield "contains", text[1:4]


def _date_text(node: Any) -> str | None:
    if isinstance(node, str):
        return node
    if isinstance(node, dict):
        bounds = node.get("repeat", {}).get("boundsPeriod", node)
        start = bounds.get("start") if isinstance(bounds, dict) else None
        return start if isinstance(start, str) else None
    return None


def _date_values(rng: random.Random, nodes: list[Any]) -> Iterator[tuple[str, str]]:
    texts = [t for n in nodes if timing_or_span(n) is not None and (t := _date_text(n)) is not None]
    for text in _pick(rng, texts, 1):
        variants = [text[:4], text[:7], text[:10]] + ([text] if "T" in text else [])
        for variant in variants:
            for prefix in PREFIXES:
                yield "", prefix + variant


def _quantity_values(rng: random.Random, nodes: list[Any]) -> Iterator[tuple[str, str]]:
    quantities = [n for n in nodes if isinstance(n, dict) and isinstance(n.get("value"), int | float)]
    for node in _pick(rng, quantities, 2) if quantities else []:
        number = repr(node["value"])
        for prefix in PREFIXES:
            yield "", prefix + number
        if _plain(str(node.get("code", ""))):
            yield "", f"{number}||{node['code']}"
            if node.get("system"):
                yield "", f"{number}|{node['system']}|{node['code']}"
        if _plain(str(node.get("unit", ""))):
            yield "", f"{number}||{node['unit']}"


def _uri_values(rng: random.Random, nodes: list[Any]) -> Iterator[tuple[str, str]]:
    for uri in _pick(rng, [n for n in nodes if isinstance(n, str) and _plain(n)], 2):
        yield "", uri
        yield "below", uri.rsplit("/", 1)[0] if "/" in uri.split("://", 1)[-1] else uri
        yield "above", uri + "/child"


def _reference_values(rng: random.Random, nodes: list[Any], param: SearchParameter) -> Iterator[tuple[str, str]]:
    for node in _pick(rng, [n["reference"] for n in reference_nodes(nodes, param.targets)], 2):
        kind, ident = node.split("/")[-2:]
        yield "", ident
        yield "", f"{kind}/{ident}"
        yield kind, ident
    logical = [n["identifier"] for n in nodes if isinstance(n, dict) and isinstance(n.get("identifier"), dict)]
    for identifier in _pick(rng, [(i.get("system"), i.get("value")) for i in logical], 1):
        if all(_plain(str(part)) for part in identifier):
            yield "identifier", f"{identifier[0]}|{identifier[1]}"


def _composite_values(rng: random.Random, resources: list[dict[str, Any]], param: SearchParameter) -> Iterator[str]:
    (_, code_path), (value_kind, value_path) = param.components
    roots = [
        root
        for r in resources
        for alt in param.paths.split("|")
        for root in ([r] if not alt else elements_at(r, alt))
        if isinstance(root, dict)
    ]
    pairs: list[tuple[tuple[str | None, str], Any]] = []
    for root in roots:
        codes = [p for n in elements_at(root, code_path) for p in tokens_of(n) if _plain(p[1])]
        values = [v for path in value_path.split("|") for v in elements_at(root, path)]
        pairs += [(code, value) for code in codes[:1] for value in values[:1]]
    for index in rng.sample(range(len(pairs)), min(2, len(pairs))):
        (system, code), node = pairs[index]
        head = f"{system}|{code}" if system and _plain(system) else code
        if value_kind is SearchParamType.QUANTITY and isinstance(node, dict) and "value" in node:
            yield f"{head}${node['value']!r}"
            yield f"{head}$gt{node['value']!r}"
            if node.get("system") and _plain(str(node.get("code", ""))):
                yield f"{head}${node['value']!r}|{node['system']}|{node['code']}"
        elif value_kind is SearchParamType.TOKEN:
            for s, c in tokens_of(node)[:1]:
                if _plain(c):
                    yield f"{head}${s}|{c}" if s and _plain(s) else f"{head}${c}"
        elif value_kind is SearchParamType.STRING and isinstance(node, str) and _plain(node[:3]):
            yield f"{head}${node[:3]}"
        elif value_kind is SearchParamType.DATE and (text := _date_text(node)):
            yield f"{head}${text[:10]}"
            yield f"{head}$ge{text[:7]}"


def _values(rng: random.Random, param: SearchParameter, resources: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    nodes = _nodes(resources, param)
    kind = param.type
    if kind is SearchParamType.COMPOSITE:
        yield from (("", v) for v in _composite_values(rng, resources, param))
        return
    makers = {
        SearchParamType.TOKEN: _token_values,
        SearchParamType.STRING: _string_values,
        SearchParamType.DATE: _date_values,
        SearchParamType.QUANTITY: _quantity_values,
        SearchParamType.URI: _uri_values,
    }
    if kind is SearchParamType.REFERENCE:
        yield from _reference_values(rng, nodes, param)
    elif kind in makers:
        yield from makers[kind](rng, nodes)
    yield "missing", "true"
    yield "missing", "false"


def _expected(resources: list[dict[str, Any]], spec: Spec, modifier: str, raw: str) -> frozenset[str]:
    return frozenset(r["id"] for r in resources if filter_matches(r, spec, modifier, raw))


def _resolve(by_key: dict[str, dict[str, Any]], node: Any) -> dict[str, Any] | None:
    reference = node.get("reference") if isinstance(node, dict) else None
    return by_key.get("/".join(reference.split("/")[-2:])) if isinstance(reference, str) else None


@dataclass(frozen=True)
class _Chain:
    """The oracle of ``param:target_type.inner=raw``: resources whose reference resolves to a match."""

    by_key: dict[str, dict[str, Any]]
    resources: list[dict[str, Any]]
    param: SearchParameter
    target_type: str
    inner: Spec
    raw: str

    def expected(self) -> frozenset[str]:
        def hit(node: Any) -> bool:
            target = _resolve(self.by_key, node)
            return (
                target is not None
                and target["resourceType"] == self.target_type
                and filter_matches(target, self.inner, "", self.raw)
            )

        return frozenset(r["id"] for r in self.resources if any(hit(n) for n in _nodes([r], self.param)))


@dataclass(frozen=True)
class _Has:
    """The oracle of ``_has:Source:param:inner=raw`` on ``target_type``: what matching sources point at."""

    by_key: dict[str, dict[str, Any]]
    sources: list[dict[str, Any]]
    param: SearchParameter
    target_type: str
    inner: Spec
    raw: str

    def expected(self) -> frozenset[str]:
        return frozenset(
            t["id"]
            for s in self.sources
            if filter_matches(s, self.inner, "", self.raw)
            for n in _nodes([s], self.param)
            if (t := _resolve(self.by_key, n)) is not None and t["resourceType"] == self.target_type
        )


def _chain_cases(rng: random.Random, data: Resources, by_key: dict[str, dict[str, Any]]) -> Iterator[Case]:
    """``ref:Target.inner=value`` for a sample of reference parameters, inner token/string parameters."""
    for resource_type, resources in sorted(data.items()):
        if resource_type not in SEARCHABLE_RESOURCE_TYPES:
            continue
        references = [p for p in parameters_for(resource_type) if p.type is SearchParamType.REFERENCE]
        for param in _pick(rng, references, 2):
            targets = [t for n in _nodes(resources, param) if (t := _resolve(by_key, n)) is not None]
            targets = [t for t in targets if t["resourceType"] in param.targets]
            for target in _pick(rng, [t["resourceType"] + "/" + t["id"] for t in targets], 1):
                target_type = target.split("/")[0]
                inner = [
                    p for p in parameters_for(target_type) if p.type in (SearchParamType.TOKEN, SearchParamType.STRING)
                ]
                for inner_param in _pick(rng, inner, 2):
                    values = [raw for mod, raw in _values(rng, inner_param, [by_key[target]]) if mod == ""]
                    for raw in values[:1]:
                        key = f"{param.name}:{target_type}.{inner_param.name}"
                        chain = _Chain(by_key, resources, param, target_type, spec_of(inner_param), raw)
                        yield Case("chain", resource_type, key, raw, cache(chain.expected))


def _has_cases(rng: random.Random, data: Resources, by_key: dict[str, dict[str, Any]]) -> Iterator[Case]:
    """``_has:Source:ref:inner=value`` on the types sources point at."""
    for source_type, sources in sorted(data.items()):
        if source_type not in SEARCHABLE_RESOURCE_TYPES:
            continue
        references = [p for p in parameters_for(source_type) if p.type is SearchParamType.REFERENCE]
        inner = [p for p in parameters_for(source_type) if p.type is SearchParamType.TOKEN and p.name != "_id"]
        for param in _pick(rng, references, 2):
            pointed = {t["resourceType"] for n in _nodes(sources, param) if (t := _resolve(by_key, n)) is not None}
            for target_type in sorted(pointed & set(param.targets) & set(SEARCHABLE_RESOURCE_TYPES)):
                for inner_param in _pick(rng, inner, 1):
                    for raw in [raw for mod, raw in _values(rng, inner_param, sources) if mod == ""][:1]:
                        key = f"_has:{source_type}:{param.name}:{inner_param.name}"
                        has = _Has(by_key, sources, param, target_type, spec_of(inner_param), raw)
                        yield Case("_has", target_type, key, raw, cache(has.expected))


def generate_cases(data: Resources, seed: int = 16) -> list[Case]:
    """Every case for ``data`` (resources by type), sampled with ``seed`` so a run is reproducible."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for resource_type, resources in sorted(data.items()):
        if resource_type not in SEARCHABLE_RESOURCE_TYPES:
            continue
        for param in parameters_for(resource_type):
            spec = spec_of(param)
            for modifier, raw in _values(rng, param, resources):
                key = f"{param.name}:{modifier}" if modifier else param.name
                oracle = cache(partial(_expected, resources, spec, modifier, raw))
                cases.append(Case(param.type.value, resource_type, key, raw, oracle))
    by_key = {f"{r['resourceType']}/{r['id']}": r for rs in data.values() for r in rs}
    cases += _chain_cases(rng, data, by_key)
    cases += _has_cases(rng, data, by_key)
    return cases


def counts(cases: list[Case]) -> Counter[str]:
    return Counter(case.kind for case in cases)


if __name__ == "__main__":
    from tests.facade.oracle_store import large_sample, small_record

    for name, data in (("small", small_record()), ("large (sampled)", large_sample())):
        generated = generate_cases(data)
        rows = ", ".join(f"{kind} {n}" for kind, n in sorted(counts(generated).items()))
        sys.stdout.write(f"{name}: {len(generated)} cases: {rows}\n")
