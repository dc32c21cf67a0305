"""The package's public surface is declared, sorted and complete."""

from __future__ import annotations

import types

import mcp_server


def test_all_is_sorted_and_importable() -> None:
    assert mcp_server.__all__ == sorted(mcp_server.__all__)
    for name in mcp_server.__all__:
        assert hasattr(mcp_server, name), name


def test_every_public_name_is_in_all() -> None:
    public = {
        name
        for name, value in vars(mcp_server).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(mcp_server.__all__)
