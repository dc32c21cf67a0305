"""The facts of one FHIR resource, derived from data, and where an answer shows them.

A fact is a leaf element the resource carries (every element a translator filled), marked
must-support when US Core 6.1.0 flags its path (`us_core_must_support.json`). Not facts: the
resource's id and `meta` (the row's `Type/id` and the store's bookkeeping), the XHTML narrative
(a rendering of the structured elements), URIs naming a code system, identifier namespace or
extension (`system`, `url`), and base64 attachment `data` (a document, read with `get_binary`).

`shown_in` says whether a fact's value appears in row text; `returned_by` whether a follow-up
call's FHIR JSON holds the element with that value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["Fact", "appears", "facts_of", "returned_by", "shown_in"]

_NOT_FACTS_AT_TOP = frozenset({"resourceType", "id", "meta", "text", "implicitRules", "language"})
_URI = re.compile(r"^(https?://|urn:)")
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?")
_MUST_SUPPORT_FILE = Path(__file__).with_name("us_core_must_support.json")


@dataclass(frozen=True)
class Fact:
    """One leaf element: its path without list indices (`Observation.code.coding.code`), key and value."""

    path: str
    key: str
    value: str | int | float | bool
    must_support: bool


@cache
def _must_support() -> dict[str, tuple[str, ...]]:
    table = json.loads(_MUST_SUPPORT_FILE.read_text(encoding="utf-8"))["must_support"]
    return {kind: tuple(paths) for kind, paths in table.items()}


def _is_must_support(resource_type: str, element_path: str) -> bool:
    """`element_path` (without the type) lies at or under an MS element; `value[x]` covers `valueQuantity.value`."""
    for declared in _must_support().get(resource_type, ()):
        parts, steps = declared.split("."), element_path.split(".")
        if len(steps) < len(parts):
            continue
        if all(
            step == part or (part.endswith("[x]") and step.startswith(part[:-3]) and step != part[:-3])
            for part, step in zip(parts, steps, strict=False)
        ):
            return True
    return False


def _leaves(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    elif value is not None:
        yield path, value


def _is_fact(path: tuple[str, ...], value: Any) -> bool:
    if path[0] in _NOT_FACTS_AT_TOP or (isinstance(value, str) and not value.strip()):
        return False
    key = path[-1]
    if key in ("system", "url") and isinstance(value, str) and _URI.match(value):
        return False
    return not (key == "data" and len(path) > 1)  # Attachment.data: base64 content


def facts_of(resource: Mapping[str, Any]) -> list[Fact]:
    """Every fact of `resource`, in document order."""
    kind = str(resource.get("resourceType"))
    found = []
    for path, value in _leaves(resource, ()):
        if _is_fact(path, value):
            element = ".".join(path)
            found.append(Fact(f"{kind}.{element}", path[-1], value, _is_must_support(kind, element)))
    return found


def _normal(text: str) -> str:
    return " ".join(text.replace("|", "/").split()).casefold()


def appears(value: str, text: str) -> bool:
    """Whether `value` appears in `text` as whole words (case and spacing aside): a code "H" is not shown by
    any word with an h in it, nor "7.2" by "17.25"."""
    return re.search(rf"(?<!\w){re.escape(_normal(value))}(?!\w)", _normal(text)) is not None


def shown_in(fact: Fact, text: str) -> bool:
    """Whether `text` (one row and its fenced prose) shows the fact's value.

    A date-time is shown when its day and, if it has one, its hour and minute both appear; a number
    or boolean when it appears as a whole token; a string when it appears as whole words (`appears`).
    """
    value = fact.value
    if isinstance(value, bool):
        return re.search(rf"\b{str(value).lower()}\b", text.casefold()) is not None
    if isinstance(value, int | float):
        return re.search(rf"(?<![\w.]){re.escape(str(value))}(?![\w]|\.\d)", text) is not None
    if moment := _DATE.match(value):
        day, minute = moment.groups()
        return day in text and (minute is None or minute in text)
    return appears(value, text)


def returned_by(fact: Fact, follow_up: str) -> bool:
    """Whether the follow-up's JSON text holds the element with the fact's value (`"key":value`, or the value
    as an item of `"key":[...]` for a repeating primitive such as `address.line`)."""
    dumped = json.dumps(fact.value, ensure_ascii=False)
    if f'"{fact.key}":{dumped}' in follow_up:
        return True
    in_list = rf'"{re.escape(fact.key)}":\[(?:[^\[\]]*?,)?{re.escape(dumped)}(?=[,\]])'
    return re.search(in_list, follow_up) is not None
