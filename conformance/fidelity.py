"""Fidelity: every clinical leaf of the raw portal JSON is in the FHIR output, or listed as dropped.

A leaf is a scalar (string, number, boolean) at a path such as ``detail.results[].resultComponents[].
componentResultInfo.value``; ``null`` and blank strings carry nothing and are not counted. Each translation
unit (one translator call) is checked against the resources of that unit only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from conformance.dropped import FidelityRules, MapRule
from conformance.output_index import OutputIndex
from conformance.value_forms import DateForm, looks_like_html, number, precise_date_form, visible_text

__all__ = ["FidelityTally", "Leaf", "check_unit", "raw_leaves"]

_BOOLEAN_TEXT = {"true": True, "false": False}
_DATA_KEY = re.compile(r"\d+$|[A-Z]{2,}-|WP-")
"""Object keys that are data (ids such as ``52097225``, ``IMP-1``, ``WP-…``), written ``<key>`` in leaf paths."""
_COMPARED = re.compile(r"(<=|>=|<|>)\s*(\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Leaf:
    path: str
    value: str | int | float | bool


@dataclass
class FidelityTally:
    carried: int = 0
    dropped: int = 0
    missing: list[str] = field(default_factory=list)
    drop_reasons: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.carried + self.dropped + len(self.missing)

    @property
    def percent(self) -> float:
        """Share of leaves accounted for: carried, or dropped for a reviewed reason."""
        return 100.0 if self.total == 0 else 100.0 * (self.carried + self.dropped) / self.total

    def add(self, other: FidelityTally) -> None:
        self.carried += other.carried
        self.dropped += other.dropped
        self.missing.extend(other.missing)
        self.drop_reasons.update(other.drop_reasons)


def raw_leaves(node: Any, path: str = "") -> Iterator[Leaf]:
    """Every non-blank scalar under ``node``, list positions written ``[]`` and id-like object keys ``<key>``."""
    if isinstance(node, dict):
        for key, child in node.items():
            name = "<key>" if _DATA_KEY.match(str(key)) else str(key)
            yield from raw_leaves(child, f"{path}.{name}" if path else name)
    elif isinstance(node, list):
        for item in node:
            yield from raw_leaves(item, f"{path}[]")
    elif isinstance(node, str):
        if node.strip() and (not looks_like_html(node) or visible_text(node)):
            yield Leaf(path, node)
    elif isinstance(node, bool | int | float):
        yield Leaf(path, node)


def check_unit(
    surface: str, label: str, raw: dict[str, Any], index: OutputIndex, rules: FidelityRules
) -> FidelityTally:
    tally = FidelityTally()
    for leaf in raw_leaves(raw):
        rule = rules.mapped(surface, leaf.path)
        carried = _mapped(rule, leaf, index) if rule is not None else _found(leaf, index)
        if carried:
            tally.carried += 1
            continue
        drop = rules.dropped(surface, leaf.path, leaf.value)
        if drop is not None:
            tally.dropped += 1
            tally.drop_reasons[drop.path] = drop.reason
        else:
            tally.missing.append(f"{surface} [{label}] {leaf.path} = {leaf.value!r:.70}")
    return tally


def _mapped(rule: MapRule, leaf: Leaf, index: OutputIndex) -> bool:
    """The translated value is under one of the rule's elements (``extension:<name>``: the value of the extension
    whose url ends in ``name``); ``*`` as the translated value means the element's presence carries the leaf."""
    expected = rule.expected(leaf.value).casefold()
    elements = rule.element.split("|")
    if expected == "*":
        return any(element in index.elements for element in elements)
    return any(_as_text(v).casefold() == expected for element in elements for v in _element_values(element, index))


def _element_values(element: str, index: OutputIndex) -> list[Any]:
    kind, _, name = element.partition(":")
    return index.flags[name] if kind == "extension" and name else index.by_element[element]


def _as_text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _found(leaf: Leaf, index: OutputIndex) -> bool:
    value = leaf.value
    if isinstance(value, str) and value.strip().lower() in _BOOLEAN_TEXT:
        value = _BOOLEAN_TEXT[value.strip().lower()]
    if isinstance(value, bool):
        return _flag_found(leaf.path.rsplit(".", 1)[-1], value, index)
    if isinstance(value, int | float):
        # A JSON number's written precision is gone once parsed, so it compares by value; text keeps it.
        return number(str(value)) in index.numbers
    if looks_like_html(value):
        return index.has_text(visible_text(value))
    comparator = _COMPARED.fullmatch(value.strip())
    if comparator is not None and comparator[1] in index.by_element["comparator"]:
        return _precise_number_found(comparator[2], index)
    form = precise_date_form(value)
    if form is not None and (form in index.dates or _epic_day(value, form) in index.dates):
        return True
    if _precise_number_found(value, index):
        return True
    return index.has_text(value)


def _precise_number_found(text: str, index: OutputIndex) -> bool:
    """A number the portal wrote as text is found only with its precision: ``"1.50"`` is not ``1.5``."""
    parsed = number(text)
    return parsed is not None and parsed.as_tuple() in index.precise_numbers


def _epic_day(value: str, form: DateForm) -> DateForm | None:
    """The day an Epic ``/Date(ms)/`` at exactly UTC midnight stands for.

    Epic writes a visit without a time of day (``Time`` null: refills, surgery scheduling) as UTC midnight of
    its date (KAISER_API.md §2.10), so the day alone carries it. Any other instant must be found as an instant.
    """
    moment = form[1]
    if not value.startswith("/Date(") or not isinstance(moment, datetime) or moment.time() != time(0, 0):
        return None
    return ("date", moment.date())


def _flag_found(key: str, value: bool, index: OutputIndex) -> bool:
    """A portal flag ``IsNoShow``/``autoRefill`` is carried by an extension named ``…no-show``/``…auto-refill``
    (a longer name such as ``primary-contact`` for ``IsPrimary`` counts too)."""
    names = {_kebab(key), _kebab(re.sub(r"^(Is|Has|is|has)(?=[A-Z])", "", key))}
    return any(
        (tail in names or any(tail.startswith(name + "-") for name in names)) and value in values
        for tail, values in index.flags.items()
    )


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()
