"""Hostile edits of a real-shaped portal payload, drawn by hypothesis and applied to any JSON document.

An edit names its target by an integer taken modulo the document's paths, so one drawn list of edits
applies to whatever shape the portal (or an earlier edit) produced: drop a key, add an unknown key,
replace a value by a hostile one, or double a list item.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.translators.drift import paths

DATES = [
    "2026-01-05",
    "2026-01-05T09:12:44-08:00",
    "2026-01-05T09:12:44Z",
    "01/05/2026",
    "1/5/2026",
    "1/5/2026 9:12 AM",
    "/Date(1767600000000)/",
    "/Date(-62135596800001)/",
    "/Date(99999999999999999)/",
    "20260105",
    "Jan 5, 2026",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31T23:59:60",
    "2026-13-45T99:99",
    "1767600000",
    "2026-W02",
    "-2026-01-05",
]
TEXTS = [
    "",
    " ",
    "N/A",
    "null",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<p>Take <b>two</b><iframe src=//evil.test></iframe></p>",
    "]]><!--",
    "\u202eevil\u202c",
    "\u2066isolate\u2069 \u200f\u200e",
    "\u0000nul\u0000",
    "\ufeffbom",
    "\ud800",
    "e\u0301\u0301\u0301",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂👩‍⚕️",
    "\r\n\t\x0b\x0c",
    "../../etc/passwd",
    "'; DROP TABLE resources;--",
    "%s%n%x",
    "{{7*7}}",
    "http://evil.test/x",
    "Patient/../../x",
    "1e309",
    "-0",
    "NaN",
]


@dataclass(frozen=True)
class Huge:
    """A long string, kept short in hypothesis's reports and built only when an edit is applied."""

    unit: str
    times: int

    def text(self) -> str:
        return self.unit * self.times


HUGE = [Huge("x", 100_000), Huge("é", 20_000), Huge("<b>", 10_000), Huge("\u202e", 5_000)]

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(DATES)
    | st.sampled_from(TEXTS)
    | st.sampled_from(HUGE)
    | st.text(max_size=16)
)
hostile_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=5,
)

OPERATIONS = ("replace", "replace", "replace", "drop", "add", "double")


@dataclass(frozen=True)
class Edit:
    operation: str
    target: int
    value: Any


edits: st.SearchStrategy[list[Edit]] = st.lists(
    st.builds(Edit, st.sampled_from(OPERATIONS), st.integers(min_value=0, max_value=10**6), hostile_values),
    min_size=1,
    max_size=4,
)


def perturbed(document: Any, applied: Sequence[Edit]) -> Any:
    """A copy of ``document`` with each edit applied in turn."""
    result = copy.deepcopy(document)
    for edit in applied:
        result = _apply(result, edit)
    return result


def _apply(document: Any, edit: Edit) -> Any:
    candidates = paths(document)
    path = candidates[edit.target % len(candidates)]
    value = built(edit.value)
    if not path:
        return value if edit.operation == "replace" else document
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if edit.operation == "replace":
        parent[last] = value
    elif edit.operation == "drop":
        del parent[last]
    elif edit.operation == "add" and isinstance(parent[last], dict):
        parent[last][f"unexpected{edit.target % 7}"] = value
    elif edit.operation == "double" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    return document


def built(value: Any) -> Any:
    """``value`` with every ``Huge`` placeholder turned into its string."""
    if isinstance(value, Huge):
        return value.text()
    if isinstance(value, list):
        return [built(item) for item in value]
    if isinstance(value, dict):
        return {key: built(item) for key, item in value.items()}
    return value
