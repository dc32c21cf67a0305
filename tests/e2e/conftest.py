"""Fixtures: a sandbox kp.org served by uvicorn on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fhirgate.serving import serve_in_thread
from sandbox.patient import generate_patient
from sandbox.portal import FaultSwitches, PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.e2e.harness import Sandbox


@pytest.fixture
def faults() -> FaultSwitches:
    return FaultSwitches()


@pytest.fixture
def sandbox(faults: FaultSwitches) -> Iterator[Sandbox]:
    config = PortalConfig(patient=generate_patient(seed=7), sms_outbox=SmsOutbox(), faults=faults)
    with serve_in_thread(create_portal_app(config)) as server:
        yield Sandbox(base_url=server.base_url, config=config)
