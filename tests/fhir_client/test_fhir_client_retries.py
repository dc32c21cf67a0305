"""Retries: rate limits, gateway errors and connection failures, without real waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from fhir_client import FhirClient, FhirHTTPError, FhirTransportError, RetryPolicy, parse_retry_after

BASE = "https://ehr.example.org/fhir"
PATIENT = {"resourceType": "Patient", "id": "p1"}


class SleepRecorder:
    """Stands in for `asyncio.sleep`: remembers each requested delay and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


def scripted(*steps: httpx2.Response | Exception) -> tuple[httpx2.MockTransport, list[httpx2.Request]]:
    """A transport that answers each request with the next scripted step."""
    remaining = list(steps)
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        step = remaining.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    return httpx2.MockTransport(handler), seen


def client_for(transport: httpx2.MockTransport, sleeps: SleepRecorder, **kwargs: int) -> FhirClient:
    return FhirClient(BASE, transport=transport, sleep=sleeps, **kwargs)


async def test_429_waits_the_retry_after_seconds_then_succeeds(sleeps: SleepRecorder) -> None:
    transport, seen = scripted(
        httpx2.Response(429, headers={"Retry-After": "7"}),
        httpx2.Response(200, json=PATIENT),
    )
    async with client_for(transport, sleeps) as client:
        assert await client.read("Patient", "p1") == PATIENT
    assert sleeps.delays == [7.0]
    assert len(seen) == 2


async def test_429_with_http_date_retry_after_waits_until_that_time(sleeps: SleepRecorder) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    transport, _ = scripted(httpx2.Response(429, headers={"Retry-After": when}), httpx2.Response(200, json=PATIENT))
    async with client_for(transport, sleeps) as client:
        await client.read("Patient", "p1")
    assert len(sleeps.delays) == 1
    assert 8.0 <= sleeps.delays[0] <= 10.0


async def test_retry_after_beyond_the_cap_fails_at_once_and_reports_the_wait(sleeps: SleepRecorder) -> None:
    transport, seen = scripted(httpx2.Response(429, headers={"Retry-After": "3600"}))
    async with client_for(transport, sleeps) as client:
        with pytest.raises(FhirHTTPError) as caught:
            await client.read("Patient", "p1")
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 3600.0
    assert sleeps.delays == []
    assert len(seen) == 1


async def test_503_then_success_backs_off_once(sleeps: SleepRecorder) -> None:
    transport, _ = scripted(httpx2.Response(503), httpx2.Response(200, json=PATIENT))
    async with client_for(transport, sleeps) as client:
        assert await client.read("Patient", "p1") == PATIENT
    assert len(sleeps.delays) == 1
    assert 0.25 <= sleeps.delays[0] <= 0.5


async def test_gateway_errors_stop_after_max_retries_with_growing_capped_delays(sleeps: SleepRecorder) -> None:
    transport, seen = scripted(*(httpx2.Response(502) for _ in range(4)))
    async with client_for(transport, sleeps, max_retries=3) as client:
        with pytest.raises(FhirHTTPError) as caught:
            await client.read("Patient", "p1")
    assert caught.value.status_code == 502
    assert len(seen) == 4
    assert len(sleeps.delays) == 3
    for attempt, delay in enumerate(sleeps.delays, start=1):
        ceiling = min(8.0, 0.5 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 500])
async def test_other_error_statuses_are_not_retried(sleeps: SleepRecorder, status: int) -> None:
    transport, seen = scripted(httpx2.Response(status))
    async with client_for(transport, sleeps) as client:
        with pytest.raises(FhirHTTPError):
            await client.read("Patient", "p1")
    assert len(seen) == 1
    assert sleeps.delays == []


async def test_connection_errors_are_retried_then_succeed(sleeps: SleepRecorder) -> None:
    transport, _ = scripted(
        httpx2.ConnectError("refused"),
        httpx2.ReadTimeout("slow"),
        httpx2.Response(200, json=PATIENT),
    )
    async with client_for(transport, sleeps) as client:
        assert await client.read("Patient", "p1") == PATIENT
    assert len(sleeps.delays) == 2


async def test_connection_errors_after_retries_raise_transport_error(sleeps: SleepRecorder) -> None:
    transport, seen = scripted(*(httpx2.ConnectError("refused") for _ in range(3)))
    async with client_for(transport, sleeps, max_retries=2) as client:
        with pytest.raises(FhirTransportError) as caught:
            await client.read("Patient", "p1")
    assert caught.value.attempts == 3
    assert len(seen) == 3
    assert "ConnectError" in str(caught.value)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("120", 120.0),
        (" 5 ", 5.0),
        ("Wed, 01 Jan 2025 00:00:30 GMT", 30.0),
        ("Tue, 31 Dec 2024 23:59:00 GMT", 0.0),
        ("soon", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == expected


def test_policy_retries_only_rate_limit_and_gateway_statuses() -> None:
    policy = RetryPolicy(max_retries=5)
    retried = {status for status in range(400, 600) if policy.delay_for_status(status, 1, None) is not None}
    assert retried == {429, 502, 503, 504}
