"""The MCP server's Kaiser facade is built by the first request that reaches it, once; a failure to build
reaches that request's caller."""

from __future__ import annotations

import httpx2
import pytest

from fhirgate.facade_on_first_request import FacadeOnFirstRequest


class Facades:
    """Builds counted stand-in facades (each answers with its build number); the first ``failures`` builds raise."""

    def __init__(self, failures: int = 0) -> None:
        self.built = 0
        self.closed: list[int] = []
        self._failures = failures

    def __call__(self) -> httpx2.AsyncBaseTransport:
        if self._failures:
            self._failures -= 1
            raise RuntimeError("store unreadable")
        self.built += 1
        number = self.built
        facades = self

        class Numbered(httpx2.MockTransport):
            async def aclose(self) -> None:
                facades.closed.append(number)

        return Numbered(lambda request: httpx2.Response(200, json={"facade": number, "path": request.url.path}))


async def test_the_facade_is_built_by_the_first_request_and_reused() -> None:
    facades = Facades()
    transport = FacadeOnFirstRequest(facades)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1/fhir/") as client:
        assert facades.built == 0
        first = (await client.get("Patient")).json()
        second = (await client.get("Observation")).json()
    assert first == {"facade": 1, "path": "/fhir/Patient"}
    assert second == {"facade": 1, "path": "/fhir/Observation"}
    assert facades.built == 1
    assert facades.closed == [1]


async def test_a_failed_build_reaches_the_caller_and_the_next_request_builds_again() -> None:
    facades = Facades(failures=1)
    async with httpx2.AsyncClient(transport=FacadeOnFirstRequest(facades)) as client:
        with pytest.raises(RuntimeError, match="store unreadable"):
            await client.get("http://127.0.0.1/fhir/Patient")
        assert (await client.get("http://127.0.0.1/fhir/Patient")).json()["facade"] == 1


async def test_closing_an_unused_client_builds_nothing() -> None:
    facades = Facades()
    async with httpx2.AsyncClient(transport=FacadeOnFirstRequest(facades)):
        pass
    assert facades.built == 0
    assert facades.closed == []
