"""Pacing, 429 and paging safety for SMART sources: the client-side rate limit, the server's
Retry-After, and `next` links that leave the source."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
import pytest

from fhir_client import FhirClient, FhirHTTPError, InvalidFhirRequest, RateLimiter
from tests.sandbox.ehr.ehr_harness import FakeClock, connect_in_process, ehr_config, ehr_in_process


async def test_a_burst_of_300_is_paced_to_250_a_minute_and_none_is_rejected() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(250, clock=clock, sleep=clock.sleep)
    starts: list[float] = []

    def ok(request: httpx2.Request) -> httpx2.Response:
        starts.append(clock.now)
        return httpx2.Response(200, json={"resourceType": "Patient", "id": "p1"})

    async with FhirClient("https://fhir.example/r4", transport=httpx2.MockTransport(ok), rate_limiter=limiter) as c:
        results = await asyncio.gather(*(c.read("Patient", "p1") for _ in range(300)))
    assert len(results) == 300 and all(r["id"] == "p1" for r in results)
    assert starts[:250] == [0.0] * 250
    assert min(starts[250:]) >= 60.0  # the 251st waits for the first to leave the window
    for i, start in enumerate(starts):  # no rolling minute ever holds more than 250 calls
        assert sum(1 for s in starts[i:] if s < start + 60.0) <= 250
    assert limiter.remaining() == 200


async def test_a_sliding_window_server_never_answers_429_to_a_paced_client(tmp_path: Path) -> None:
    clock = FakeClock()
    with ehr_in_process(tmp_path, ehr_config(clock, rate_limit_per_minute=20)) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        limiter = RateLimiter(20, clock=clock, sleep=clock.sleep)
        async with connection.client(rate_limiter=limiter) as client:
            results = await asyncio.gather(*(client.read("Observation", "obs-wt-1") for _ in range(50)))
        assert len(results) == 50
        assert clock.now - min(clock.slept, default=0) >= 0 and sum(clock.slept) >= 120.0


async def test_without_pacing_the_practice_answers_429_with_retry_after(tmp_path: Path) -> None:
    clock = FakeClock()
    with ehr_in_process(tmp_path, ehr_config(clock, rate_limit_per_minute=3)) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)
            clock.now += seconds

        async with connection.client(rate_limiter=RateLimiter(1000), sleep=record) as client:
            for _ in range(3):
                await client.read("Observation", "obs-wt-1")
            clock.now += 45
            await client.read("Observation", "obs-wt-1")
        assert waits == [15.0]  # Retry-After said when the window frees up; the retry then succeeded


async def test_429_fault_honours_retry_after_then_gives_up_with_the_wait(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        ehr.config.faults.rate_limited = True
        ehr.config.faults.retry_after = 7
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)

        async with connection.client(sleep=record) as client:
            with pytest.raises(FhirHTTPError) as caught:
                await client.read("Patient", ehr.record.patient_id)
        assert waits == [7.0, 7.0, 7.0]
        assert caught.value.status_code == 429 and caught.value.retry_after == 7.0


async def test_a_5xx_burst_is_retried_with_backoff(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        ehr.config.faults.server_errors = 2
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)

        async with connection.client(sleep=record) as client:
            patient = await client.read("Patient", ehr.record.patient_id)
        assert patient["id"] == ehr.record.patient_id and len(waits) == 2


async def test_a_next_link_to_another_origin_is_refused_and_named(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        ehr.config.faults.foreign_next_link = True
        async with connection.client() as client:
            with pytest.raises(InvalidFhirRequest, match=r"another origin .*http://foreign\.example/fhir/r4/"):
                async for _ in client.iterate_pages("Observation", {"_count": "2"}):
                    pass


async def test_a_next_link_outside_the_base_path_is_refused() -> None:
    def bundle(request: httpx2.Request) -> httpx2.Response:
        link = [{"relation": "next", "url": "https://fhir.example/r4/otherpractice/Observation?page=2"}]
        return httpx2.Response(200, json={"resourceType": "Bundle", "type": "searchset", "link": link})

    async with FhirClient("https://fhir.example/r4/mypractice", transport=httpx2.MockTransport(bundle)) as client:
        with pytest.raises(InvalidFhirRequest, match=r"outside https://fhir\.example/r4/mypractice"):
            async for _ in client.iterate_pages("Observation"):
                pass


async def test_next_links_on_the_practice_path_are_followed(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with connection.client() as client:
            ids = [r["id"] async for r in client.iterate_resources("Observation", {"_count": "2"})]
        assert len(ids) == 6 and len(set(ids)) == 6
