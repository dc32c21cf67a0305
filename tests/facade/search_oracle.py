"""An independent reading of FHIR R4 search semantics over resource JSON: what a search must return.

Written from the spec's wording (https://hl7.org/fhir/R4/search.html), not from ``gateway.search``, so the
facade's answers can be checked against it. Like fhirgate (docs/decisions.md), a date or time without a
zone is read as UTC. Only what the semantics tests ask is covered; ``ap`` is left out (server-defined).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

Predicate = Callable[[dict[str, Any]], bool]
NEVER = datetime.max.replace(tzinfo=UTC)
EVER = datetime.min.replace(tzinfo=UTC)


def elements(resource: dict[str, Any], path: str) -> list[Any]:
    """Values at a dotted path; lists are flattened at every step."""
    found: list[Any] = [resource]
    for step in path.split("."):
        nxt: list[Any] = []
        for node in found:
            value = node.get(step) if isinstance(node, dict) else None
            nxt += value if isinstance(value, list) else ([] if value is None else [value])
        found = nxt
    return found


def fold(text: str) -> str:
    """Case- and accent-insensitive form (the spec: "case and accent insensitive")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


# dates: every value is the span of instants its precision covers, [start, end)
def span(text: str) -> tuple[datetime, datetime]:
    if len(text) == 4:
        start = datetime(int(text), 1, 1, tzinfo=UTC)
        return start, start.replace(year=start.year + 1)
    if len(text) == 7:
        start = datetime(int(text[:4]), int(text[5:7]), 1, tzinfo=UTC)
        return start, (start + timedelta(days=32)).replace(day=1)
    if len(text) == 10:
        start = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return start, start + timedelta(days=1)
    moment = datetime.fromisoformat(text)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    clock = text[11:].split("+")[0].split("-")[0].rstrip("Z")
    return moment, moment + (timedelta(minutes=1) if len(clock) == 5 else timedelta(seconds=1))


def target_span(node: Any) -> tuple[datetime, datetime]:
    if isinstance(node, dict):  # Period: a missing end is ongoing
        start = span(node["start"])[0] if "start" in node else EVER
        return start, span(node["end"])[1] if "end" in node else NEVER
    return span(node)


def date_matches(search: str, node: Any) -> bool:
    prefix, text = (search[:2], search[2:]) if search[:2].isalpha() else ("eq", search)
    (low, high), (start, end) = span(text), target_span(node)
    contained = low <= start and end <= high
    return {
        "eq": contained,
        "ne": not contained,
        "gt": end > high,
        "lt": start < low,
        "ge": end > high or contained,
        "le": start < low or contained,
        "sa": start >= high,
        "eb": end <= low,
    }[prefix]


# tokens
def token_pairs(node: Any) -> Iterator[tuple[str | None, str]]:
    """(system, code) of a code, Coding, CodeableConcept, Identifier or ContactPoint."""
    if isinstance(node, str):
        yield None, node
    elif isinstance(node, dict):
        for coding in node.get("coding", []):
            yield from token_pairs(coding)
        if "code" in node:
            yield node.get("system"), node["code"]
        if "value" in node and isinstance(node["value"], str):
            yield node.get("system"), node["value"]


def token_texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        yield from (t for t in (node.get("text"), node.get("display")) if isinstance(t, str))
        yield from (c["display"] for c in node.get("coding", []) if "display" in c)
        if isinstance(node.get("type"), dict) and "text" in node["type"]:
            yield node["type"]["text"]


def token_matches(search: str, node: Any) -> bool:
    if "|" not in search:
        return any(code == search for _, code in token_pairs(node))
    system, code = search.split("|", 1)
    for found_system, found_code in token_pairs(node):
        if system == "" and found_system is None and found_code == code:
            return True
        if system and found_system == system and (not code or found_code == code):
            return True
    return False


# strings
_PARTS = ("text", "family", "given", "prefix", "suffix", "line", "city", "district", "state", "postalCode", "country")


def string_parts(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    parts = [node.get(key) for key in _PARTS] if isinstance(node, dict) else []
    return [p for part in parts for p in (part if isinstance(part, list) else [part]) if isinstance(p, str)]


def string_matches(modifier: str, search: str, node: Any) -> bool:
    parts = string_parts(node)
    if modifier == "exact":
        return search in parts
    if modifier == "contains":
        return any(fold(search) in fold(p) for p in parts)
    return any(fold(p).startswith(fold(search)) for p in parts)


# references and quantities
def reference_matches(search: str, node: Any) -> bool:
    reference = node.get("reference", "") if isinstance(node, dict) else ""
    return bool(reference) and (reference == search or reference.endswith("/" + search))


def quantity_matches(search: str, node: Any) -> bool:
    if not isinstance(node, dict) or not isinstance(node.get("value"), int | float):
        return False
    number, system, code = [*search.split("|"), "", ""][:3]
    prefix, number = (number[:2], number[2:]) if number[:2].isalpha() else ("eq", number)
    wanted, value = Decimal(number), Decimal(str(node["value"]))
    half = Decimal(5).scaleb(wanted.as_tuple().exponent - 1)  # type: ignore[operator]
    if system and node.get("system") != system:
        return False
    if code and code not in (node.get("code"), node.get("unit")):
        return False
    return {
        "eq": wanted - half <= value < wanted + half,
        "gt": value > wanted,
        "lt": value < wanted,
        "ge": value >= wanted,
        "le": value <= wanted,
    }[prefix]


def _value_matches(kind: str, modifier: str, search: str, node: Any) -> bool:
    if kind == "token":
        if modifier == "text":
            return any(fold(t).startswith(fold(search)) for t in token_texts(node))
        return token_matches(search, node)
    if kind == "date":
        return date_matches(search, node)
    if kind == "string":
        return string_matches(modifier, search, node)
    if kind == "quantity":
        return quantity_matches(search, node)
    if "://" in search:  # an absolute reference names the same Type/id
        search = "/".join(search.split("/")[-2:])
    return reference_matches(f"{modifier}/{search}" if modifier else search, node)


def query_matches(resource: dict[str, Any], paths: dict[str, tuple[str, tuple[str, ...]]], query: str) -> bool:
    """Whether ``resource`` meets every ``&``-joined parameter (each any of its ``,``-joined values)."""
    for pair in query.split("&"):
        key, _, raw = pair.partition("=")
        name, _, modifier = key.partition(":")
        kind, where = paths[name]
        nodes = [node for path in where for node in elements(resource, path)]
        if modifier == "missing":  # a reference counts when it points somewhere or names an identifier
            present = any(
                kind != "reference" or (isinstance(n, dict) and ("reference" in n or "identifier" in n)) for n in nodes
            )
            found = present != (raw == "true")
        elif modifier == "not":
            found = not any(token_matches(v, n) for v in raw.split(",") for n in nodes)
        else:
            found = any(_value_matches(kind, modifier, v, n) for v in raw.split(",") for n in nodes)
        if not found:
            return False
    return True


# ---- the general matcher the generated cases use (every parameter of the table, every modifier/prefix) ----
Spec = tuple[str, tuple[str, ...], tuple[str, ...]]
"""(kind, element paths, reference target types or a composite's part kinds/paths as "kind:path")."""


def elements_at(resource: dict[str, Any], path: str) -> list[Any]:
    """``elements`` plus the ``extension(name)`` step (extensions whose url ends in ``/name``)."""
    found: list[Any] = [resource]
    for step in path.split("."):
        nxt: list[Any] = []
        for node in found:
            if not isinstance(node, dict):
                continue
            if step.startswith("extension("):
                name = step[len("extension(") : -1]
                nxt += [e for e in node.get("extension", []) if str(e.get("url", "")).endswith("/" + name)]
                continue
            value = node.get(step)
            nxt += value if isinstance(value, list) else ([] if value is None else [value])
        found = nxt
    return found


def timing_or_span(node: Any) -> tuple[datetime, datetime] | None:
    """A date, Period, or Timing (searched by ``repeat.boundsPeriod``, else its events' span)."""
    if isinstance(node, dict) and ("repeat" in node or "event" in node):
        bounds = node.get("repeat", {}).get("boundsPeriod")
        if bounds is not None:
            return target_span(bounds)
        events = [span(e) for e in node.get("event", [])]
        return (min(e[0] for e in events), max(e[1] for e in events)) if events else None
    if isinstance(node, str | dict):
        return target_span(node)
    return None


def date_prefix_matches(search: str, target: tuple[datetime, datetime]) -> bool:
    prefix, text = (search[:2], search[2:]) if search[:2].isalpha() else ("eq", search)
    (low, high), (start, end) = span(text), target
    contained = low <= start and end <= high
    return {
        "eq": contained,
        "ne": not contained,
        "gt": end > high,
        "lt": start < low,
        "ge": end > high or contained,
        "le": start < low or contained,
        "sa": start >= high,
        "eb": end <= low,
    }[prefix]


def number_matches(search: str, value: Decimal) -> bool:
    prefix, number = (search[:2], search[2:]) if search[:2].isalpha() else ("eq", search)
    wanted = Decimal(number)
    half = Decimal(5).scaleb(wanted.as_tuple().exponent - 1)  # type: ignore[operator]
    low, high = wanted - half, wanted + half
    return {
        "eq": low <= value < high,
        "ne": not (low <= value < high),
        "gt": value > wanted,
        "lt": value < wanted,
        "ge": value >= wanted,
        "le": value <= wanted,
        "sa": value >= high,  # the whole search range lies below the value
        "eb": value < low,
    }[prefix]


def quantity_value_matches(search: str, node: Any) -> bool:
    if not isinstance(node, dict) or not isinstance(node.get("value"), int | float | Decimal):
        return False
    number, system, code = [*search.split("|"), "", ""][:3]
    if system and node.get("system") != system:
        return False
    if code and system and node.get("code") != code:
        return False
    if code and not system and code not in (node.get("code"), node.get("unit")):
        return False
    return number_matches(number, Decimal(str(node["value"])))


def tokens_of(node: Any) -> list[tuple[str | None, str]]:
    if isinstance(node, bool):
        return [(None, "true" if node else "false")]
    return list(token_pairs(node))


def token_value_matches(search: str, node: Any) -> bool:
    pairs = tokens_of(node)
    if "|" not in search:
        return any(code == search for _, code in pairs)
    system, code = search.split("|", 1)
    if not system:
        return any(s is None and c == code for s, c in pairs)
    return any(s == system and (not code or c == code) for s, c in pairs)


def uri_matches(modifier: str, search: str, node: Any) -> bool:
    if not isinstance(node, str):
        return False
    if modifier == "below":
        stem = search.rstrip("/")
        return node == stem or node.startswith(stem + "/")
    if modifier == "above":
        return search == node or search.startswith(node.rstrip("/") + "/")
    return node == search


def reference_nodes(nodes: list[Any], targets: tuple[str, ...]) -> list[dict[str, Any]]:
    """References the parameter can see: literal ones to an allowed type (relative or absolute)."""
    found = []
    for node in nodes:
        reference = node.get("reference") if isinstance(node, dict) else None
        if isinstance(reference, str) and "/" in reference:
            kind = reference.split("/")[-2]
            if not targets or kind in targets:
                found.append(node)
    return found


def _typed_identifier_matches(search: str, node: Any) -> bool:
    type_system, type_code, value = search.split("|", 2)
    if not isinstance(node, dict) or node.get("value") != value:
        return False
    codings = node.get("type", {}).get("coding", [])
    return any(c.get("system") == type_system and c.get("code") == type_code for c in codings)


def _one_value(spec: Spec, modifier: str, search: str, nodes: list[Any]) -> bool:
    kind, _, extra = spec
    if kind == "token":
        if modifier == "text":
            return any(fold(t).startswith(fold(search)) for n in nodes for t in token_texts(n))
        if modifier == "of-type":
            return any(_typed_identifier_matches(search, n) for n in nodes)
        return any(token_value_matches(search, n) for n in nodes)
    if kind == "date":
        return any((s := timing_or_span(n)) is not None and date_prefix_matches(search, s) for n in nodes)
    if kind == "string":
        return any(string_matches(modifier, search, n) for n in nodes)
    if kind == "quantity":
        return any(quantity_value_matches(search, n) for n in nodes)
    if kind == "uri":
        return any(uri_matches(modifier, search, n) for n in nodes)
    if kind == "reference":
        if modifier == "identifier":
            return any(isinstance(n, dict) and token_value_matches(search, n.get("identifier")) for n in nodes)
        typed = f"{modifier}/{search}" if modifier else search
        return any(reference_matches(typed, n) for n in reference_nodes(nodes, extra))
    raise AssertionError(f"no oracle for {kind}")


def _present(spec: Spec, nodes: list[Any]) -> bool:
    kind, _, extra = spec
    if kind != "reference":
        return any(n not in (None, "", [], {}) for n in nodes)
    logical = [n for n in nodes if isinstance(n, dict) and isinstance(n.get("identifier", {}).get("value"), str)]
    return bool(reference_nodes(nodes, extra) or logical)


def composite_matches(spec: Spec, search: str, resource: dict[str, Any]) -> bool:
    """``code$value``: both parts met inside one root (the resource, or one component)."""
    _, roots, parts = spec
    (code_path, (value_kind, value_path)) = parts[0].split(":", 1)[1], parts[1].split(":", 1)
    code_search, value_search = search.split("$", 1)
    for root_path in roots:
        for root in [resource] if not root_path else elements_at(resource, root_path):
            codes = [n for path in code_path.split("|") for n in elements_at(root, path)]
            values = [n for path in value_path.split("|") for n in elements_at(root, path)]
            value_spec: Spec = (value_kind, (), ())
            if any(token_value_matches(code_search, n) for n in codes) and _one_value(
                value_spec, "", value_search, values
            ):
                return True
    return False


def filter_matches(resource: dict[str, Any], spec: Spec, modifier: str, raw: str) -> bool:
    """Whether ``resource`` meets one ``name[:modifier]=raw`` parameter (values ORed)."""
    kind, paths, _ = spec
    if kind == "composite":
        return any(composite_matches(spec, v, resource) for v in raw.split(","))
    nodes = [n for path in paths for n in elements_at(resource, path)]
    if modifier == "missing":
        return _present(spec, nodes) != (raw == "true")
    if modifier == "not":
        return not any(token_value_matches(v, n) for v in raw.split(",") for n in nodes)
    return any(_one_value(spec, modifier, v, nodes) for v in raw.split(","))
