"""The sandbox EHR package declares its public surface, sorted and complete."""

from __future__ import annotations

import types

import sandbox.ehr as ehr


def test_all_is_complete_and_importable() -> None:
    assert len(ehr.__all__) == len(set(ehr.__all__))
    public = {n for n, v in vars(ehr).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public == set(ehr.__all__)
