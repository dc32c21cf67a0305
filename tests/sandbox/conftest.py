"""Fixtures for the sandbox portal tests: a seeded patient, a fake clock, and a driver for the sign-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sandbox.patient import SyntheticPatient, generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.sandbox.portal_driver import BASE, FakeClock, PortalDriver


@pytest.fixture
def patient() -> SyntheticPatient:
    return generate_patient(seed=1)


@pytest.fixture
def outbox() -> SmsOutbox:
    return SmsOutbox()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config(patient: SyntheticPatient, outbox: SmsOutbox) -> PortalConfig:
    return PortalConfig(patient=patient, sms_outbox=outbox)


@pytest.fixture
def client(config: PortalConfig, clock: FakeClock) -> Iterator[TestClient]:
    with TestClient(create_portal_app(config, clock=clock), base_url=BASE) as test_client:
        yield test_client


@pytest.fixture
def driver(client: TestClient, patient: SyntheticPatient, outbox: SmsOutbox) -> PortalDriver:
    return PortalDriver(client, patient, outbox)


@pytest.fixture
def signed_in(driver: PortalDriver) -> PortalDriver:
    driver.sign_in()
    return driver
