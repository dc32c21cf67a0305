"""Paging: following `next` links on the server's own origin, and nowhere else."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from fhir_client import FhirClient, InvalidFhirRequest, same_origin

BASE = "https://ehr.example.org/fhir"


def page(number: int, *, next_url: str | None) -> dict[str, Any]:
    links = [{"relation": "self", "url": f"{BASE}/Observation?page={number}"}]
    if next_url is not None:
        links.append({"relation": "next", "url": next_url})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 5,
        "link": links,
        "entry": [
            {"resource": {"resourceType": "Observation", "id": f"o{number}a"}, "search": {"mode": "match"}},
            {"resource": {"resourceType": "Observation", "id": f"o{number}b"}},
            {"resource": {"resourceType": "Patient", "id": "p1"}, "search": {"mode": "include"}},
            {
                "resource": {"resourceType": "OperationOutcome", "issue": []},
                "search": {"mode": "outcome"},
            },
        ],
    }


def three_page_server() -> tuple[httpx2.MockTransport, list[str]]:
    pages = {
        "1": page(1, next_url=f"{BASE}/Observation?page=2"),
        "2": page(2, next_url=f"{BASE}/Observation?page=3"),
        "3": page(3, next_url=None),
    }
    requested: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        requested.append(str(request.url))
        return httpx2.Response(200, json=pages[request.url.params.get("page", "1")])

    return httpx2.MockTransport(handler), requested


async def test_iterate_pages_follows_next_through_three_pages() -> None:
    transport, requested = three_page_server()
    async with FhirClient(BASE, transport=transport) as client:
        bundles = [bundle async for bundle in client.iterate_pages("Observation", {"code": "2823-3"})]
    assert [b["link"][0]["url"].rsplit("=", 1)[1] for b in bundles] == ["1", "2", "3"]
    assert requested == [
        f"{BASE}/Observation?code=2823-3",
        f"{BASE}/Observation?page=2",
        f"{BASE}/Observation?page=3",
    ]


async def test_iterate_pages_stops_at_max_pages() -> None:
    transport, requested = three_page_server()
    async with FhirClient(BASE, transport=transport) as client:
        bundles = [bundle async for bundle in client.iterate_pages("Observation", max_pages=2)]
    assert len(bundles) == 2
    assert len(requested) == 2


async def test_iterate_resources_yields_matches_only_and_honours_limit() -> None:
    transport, _ = three_page_server()
    async with FhirClient(BASE, transport=transport) as client:
        everything = [r["id"] async for r in client.iterate_resources("Observation")]
        limited = [r["id"] async for r in client.iterate_resources("Observation", limit=3)]
    assert everything == ["o1a", "o1b", "o2a", "o2b", "o3a", "o3b"]
    assert limited == ["o1a", "o1b", "o2a"]


async def test_a_next_link_that_loops_back_is_not_followed_forever() -> None:
    looping = page(1, next_url=f"{BASE}/Observation?page=1")
    transport = httpx2.MockTransport(lambda request: httpx2.Response(200, json=looping))
    async with FhirClient(BASE, transport=transport) as client:
        bundles = [bundle async for bundle in client.iterate_pages("Observation")]
    assert len(bundles) == 2


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example.com/fhir/Observation?page=2",
        "http://ehr.example.org:8080/fhir/Observation?page=2",
        "https://ehr.example.org:8443/fhir/Observation?page=2",
        "//evil.example.com/fhir/Observation",
    ],
)
async def test_a_cross_origin_next_link_is_refused_without_sending(foreign: str) -> None:
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json=page(1, next_url=foreign))

    async with FhirClient(BASE, bearer_token="secret", transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(InvalidFhirRequest, match="another origin"):
            _ = [bundle async for bundle in client.iterate_pages("Observation")]
    assert len(sent) == 1
    assert sent[0].url.host == "ehr.example.org"


async def test_an_http_next_link_on_the_same_host_is_followed_over_https_only() -> None:
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        number = int(request.url.params.get("page", "1"))
        proxied = "http://ehr.example.org/fhir/Observation?page=2" if number == 1 else None
        return httpx2.Response(200, json=page(number, next_url=proxied))

    async with FhirClient(BASE, bearer_token="secret", transport=httpx2.MockTransport(handler)) as client:
        bundles = [bundle async for bundle in client.iterate_pages("Observation")]
    assert len(bundles) == 2
    assert [str(r.url) for r in sent] == [f"{BASE}/Observation", f"{BASE}/Observation?page=2"]
    assert all(r.url.scheme == "https" for r in sent)


async def test_a_relative_next_link_resolves_against_the_base() -> None:
    transport, requested = three_page_server()
    async with FhirClient(BASE, transport=transport) as client:
        await client.fetch_page("Observation?page=2")
    assert requested == [f"{BASE}/Observation?page=2"]


def test_same_origin_compares_scheme_host_and_port() -> None:
    assert same_origin("https://EHR.example.org:443/x", "https://ehr.example.org/fhir")
    assert not same_origin("https://ehr.example.org.evil.com/x", "https://ehr.example.org/fhir")
    assert not same_origin("not a url", "https://ehr.example.org/fhir")
