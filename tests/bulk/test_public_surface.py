"""gateway.bulk's public surface is declared, sorted and complete."""

from __future__ import annotations

import types

import gateway.bulk


def test_all_is_sorted_and_complete() -> None:
    assert gateway.bulk.__all__ == sorted(gateway.bulk.__all__)
    public = {
        name
        for name, value in vars(gateway.bulk).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(gateway.bulk.__all__)
