"""A practice's record is read through ``$everything`` when declared, otherwise by per-type ``patient=``
searches; the sandbox EHR in-process serves both (its CapabilityStatement edited for the second)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fhir_client import ClientAuthMethod
from fhirgate.record_out.practice_record import PracticeRecord, patient_search_types
from tests.sandbox.ehr.ehr_harness import Connection, connect_in_process, ehr_in_process


class WithoutEverything:
    """The EHR, but its CapabilityStatement no longer declares ``$everything`` (and each path is counted)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.paths.append(scope["path"])
        if not scope["path"].endswith("/metadata"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        start: dict[str, object] = {}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        capability = json.loads(b"".join(chunks))
        rest = capability["rest"][0]
        rest.pop("operation", None)
        for resource in rest["resource"]:
            resource.pop("operation", None)
        body = json.dumps(capability).encode()
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]  # type: ignore[attr-defined]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def connected(tmp_path: Path) -> AsyncIterator[Connection]:
    with ehr_in_process(tmp_path) as ehr:
        yield await connect_in_process(ehr, tmp_path / "home", ClientAuthMethod.NONE)


async def _read_all(record: PracticeRecord) -> list[dict[str, object]]:
    return [resource async for resource in record.resources()]


async def test_everything_and_per_type_searches_read_the_same_record(connected: Connection) -> None:
    async with connected.client() as client:
        via_everything = await _read_all(PracticeRecord(client, page_size=7))
    wrapper = WithoutEverything(connected.ehr.app)
    connected.transport = httpx2.ASGITransport(app=wrapper)
    async with connected.client() as client:
        capability = await client.capabilities()
        per_type = PracticeRecord(client, page_size=7)
        via_searches = await _read_all(per_type)
    assert "Observation" in patient_search_types(capability)
    assert not any("$everything" in path for path in wrapper.paths)
    everything_keys = Counter((r["resourceType"], r["id"]) for r in via_everything)
    search_keys = Counter((r["resourceType"], r["id"]) for r in via_searches)
    assert max(everything_keys.values()) == 1 and max(search_keys.values()) == 1
    compartment = {k for k in everything_keys if k[0] not in ("Practitioner", "Organization", "Location")}
    assert compartment <= set(search_keys)
    assert ("Patient", connected.ehr.record.patient_id) in search_keys
