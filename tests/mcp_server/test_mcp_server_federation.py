"""Federation: a typed tool with no source asks every source; a failing source is a note, not a failure."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Generator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent

from fhir_client import FhirClient, ReconnectRequired
from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from tests.benchmarks.answer_rows import source_rows, stated_totals
from tests.mcp_server.conftest import kaiser_source
from tests.mcp_server.seeded_store import seed_store


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def revoked(request: httpx2.Request) -> httpx2.Response:
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "login"}]}
    return httpx2.Response(401, json=outcome)


@pytest.fixture
async def federated(seeded: SqliteStore, tmp_path: Path) -> AsyncIterator[SourceRegistry]:
    practice_store = seed_store(tmp_path / "practice.sqlite3", seed=2)
    practice = RecordSource("valley-clinic", in_process_kaiser_client(practice_store), kind="practice")
    broken = RecordSource(
        "hill-clinic",
        FhirClient("https://ehr.hill.example/fhir", bearer_token="t", transport=httpx2.MockTransport(revoked)),
        kind="practice",
    )
    registry = SourceRegistry({"kaiser": kaiser_source(seeded), "valley-clinic": practice, "hill-clinic": broken})
    yield registry
    await registry.aclose()
    practice_store.close()


def cursor_in(text: str) -> str | None:
    match = re.search(r'cursor="([^"]+)"', text)
    return match.group(1) if match else None


async def test_rows_come_from_every_answering_source_and_the_failing_one_is_a_note(
    federated: SourceRegistry,
) -> None:
    async with Client(build_server(federated)) as client:
        result = await client.call_tool("search_medication_request", {})
    text = text_of(result)
    assert not result.is_error, text
    assert "[kaiser]" in text and "[valley-clinic]" in text
    assert "hill-clinic: failed" in text.splitlines()[0]
    assert (
        "- hill-clinic: practice 'hill-clinic''s authorization expired or its refresh token was revoked: "
        "call connect_practice again" in text
    )
    assert {source for source, _ in source_rows(text)} == {"kaiser", "valley-clinic"}
    assert "hill-clinic" not in stated_totals(text) and result.structured_content is None


async def test_asking_only_the_failing_source_is_an_error_with_the_fix(federated: SourceRegistry) -> None:
    async with Client(build_server(federated)) as client:
        result = await client.call_tool("list_allergies", {"source": "hill-clinic"})
    assert result.is_error
    assert "call connect_practice again" in text_of(result)


async def test_paging_across_sources_loses_and_repeats_nothing(federated: SourceRegistry) -> None:
    expected: set[tuple[str, str]] = set()
    for name in ("kaiser", "valley-clinic"):
        async for resource in federated.get(name).iterate_resources("Observation", {"_count": "100"}):
            expected.add((name, f"Observation/{resource['id']}"))
    arguments: dict[str, Any] = {"max_tokens": 600}
    seen: list[tuple[str, str]] = []
    replies = 0
    async with Client(build_server(federated)) as client:
        while True:
            result = await client.call_tool("search_observation", arguments)
            assert not result.is_error, text_of(result)
            seen += source_rows(text_of(result))
            replies += 1
            if (cursor := cursor_in(text_of(result))) is None:
                break
            arguments = {"max_tokens": 600, "cursor": cursor}
    assert replies > 3
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


async def test_when_every_source_fails_the_call_fails_with_each_reason(tmp_path: Path) -> None:
    broken = FhirClient("https://ehr.hill.example/fhir", bearer_token="t", transport=httpx2.MockTransport(revoked))
    registry = SourceRegistry({"kaiser": broken})
    async with Client(build_server(registry)) as client:
        result = await client.call_tool("search_observation", {})
    await registry.aclose()
    assert result.is_error
    assert (
        'Every source failed:\n- kaiser: Kaiser session expired: ask the user to run "fhirgate login kaiser"'
        in text_of(result)
    )


class RevokedRefresh(httpx2.Auth):
    """What a SMART source's auth does once its refresh token is gone."""

    def auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        raise ReconnectRequired("the refresh token was revoked")
        yield request


async def test_a_revoked_practice_says_to_connect_again(seeded: SqliteStore) -> None:
    practice = FhirClient("https://ehr.valley.example/fhir", auth=RevokedRefresh())
    registry = SourceRegistry({"kaiser": kaiser_source(seeded), "valley": RecordSource("valley", practice)})
    async with Client(build_server(registry)) as client:
        federated = await client.call_tool("list_care_team", {})
        alone = await client.call_tool("list_care_team", {"source": "valley"})
    await registry.aclose()
    assert not federated.is_error
    message = "Source 'valley''s refresh token was revoked or has expired: call connect_practice again"
    assert f"- valley: {message}" in text_of(federated)
    assert alone.is_error and message in text_of(alone)
