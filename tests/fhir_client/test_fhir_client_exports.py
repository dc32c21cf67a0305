"""The package's public surface is declared, sorted and complete."""

from __future__ import annotations

import types

import fhir_client


def test_all_is_sorted_and_importable() -> None:
    assert fhir_client.__all__ == sorted(fhir_client.__all__)
    for name in fhir_client.__all__:
        assert hasattr(fhir_client, name), name


def test_every_public_name_is_in_all() -> None:
    # dir(), not vars(): the SMART launch's names are loaded on first use (fhir_client.__getattr__).
    public = {
        name
        for name in dir(fhir_client)
        if not name.startswith("_") and not isinstance(getattr(fhir_client, name), types.ModuleType)
    }
    assert public == set(fhir_client.__all__)
