"""The web app package's public surface is declared, sorted and complete."""

from __future__ import annotations

import types

import gateway.web


def test_all_is_sorted_complete_and_importable() -> None:
    assert gateway.web.__all__ == sorted(gateway.web.__all__)
    public = {
        name
        for name, value in vars(gateway.web).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(gateway.web.__all__)
