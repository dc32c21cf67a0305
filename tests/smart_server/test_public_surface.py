"""gateway.smart_server's public surface is declared and complete (ruff's RUF022 keeps ``__all__`` sorted)."""

from __future__ import annotations

import types

import gateway.smart_server


def test_all_names_every_public_member() -> None:
    public = {
        name
        for name, value in vars(gateway.smart_server).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(gateway.smart_server.__all__)
