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
