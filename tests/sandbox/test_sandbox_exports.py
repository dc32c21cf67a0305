"""The sandbox's declared public surface is complete and importable."""

from __future__ import annotations

import importlib

import pytest

EXPECTED = {
    "sandbox.patient": {"LabOrder", "SyntheticPatient", "generate_patient"},
    "sandbox.portal": {"FaultSwitches", "PortalConfig", "create_portal_app"},
    "sandbox.sms": {"SmsMessage", "SmsOutbox"},
}


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
def test_all_lists_the_public_names(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == EXPECTED[module_name]
    assert list(module.__all__) == sorted(module.__all__)
    for name in module.__all__:
        assert getattr(module, name) is not None
