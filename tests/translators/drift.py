"""Shared pieces of the schema-drift property tests: JSON values to inject, every path of a payload,
a copy with one path replaced, and the check that whatever comes out is valid FHIR."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from translators import TranslationResult, validated
from translators.ids import FHIR_ID_PATTERN

FIXTURES = Path(__file__).parent / "fixtures"


def fuzz(max_examples: int) -> settings:
    """``max_examples`` in `make test`; `make fuzz` (``FHIRGATE_FUZZ_EXAMPLES``) raises every test to its count."""
    wanted = max(max_examples, int(os.environ.get("FHIRGATE_FUZZ_EXAMPLES", "0")))
    return settings(max_examples=wanted, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def json_values(samples: Sequence[str], *, integer_limit: int = 10**12) -> st.SearchStrategy[Any]:
    """Any JSON value, weighted towards the portal's own tricky strings ``samples``."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(min_value=-integer_limit, max_value=integer_limit)
        | st.floats(allow_nan=True, allow_infinity=True)
        | st.text(max_size=12)
        | st.sampled_from(list(samples)),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
        max_leaves=6,
    )


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copied = copy.deepcopy(document)
    target = copied
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copied


def assert_sound(result: TranslationResult) -> None:
    for resource in result.resources:
        assert validated(resource) == resource
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])
