"""Failures arrive as the fhir_client error tree, with diagnostics and without secrets."""

from __future__ import annotations

import logging
from typing import Any

import httpx2
import pytest

from fhir_client import (
    FhirClient,
    FhirClientError,
    FhirHTTPError,
    FhirTransportError,
    InvalidFhirRequest,
    InvalidFhirResponse,
)
from fhir_client.errors import OUTCOME_TEXT_LIMIT, describe_outcome

BASE = "https://ehr.example.org/fhir"
TOKEN = "tok-8f2c1e-very-secret"


async def no_wait(delay: float) -> None:
    return None


def outcome(diagnostics: str, code: str = "not-found") -> dict[str, object]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }


def client_answering(response: httpx2.Response) -> FhirClient:
    return FhirClient(
        BASE,
        bearer_token=TOKEN,
        transport=httpx2.MockTransport(lambda request: response),
        sleep=no_wait,
        max_retries=1,
    )


async def test_404_raises_http_error_with_operation_outcome_diagnostics() -> None:
    body = outcome("Resource Observation/nope is not known")
    async with client_answering(httpx2.Response(404, json=body)) as client:
        with pytest.raises(FhirHTTPError) as caught:
            await client.read("Observation", "nope")
    error = caught.value
    assert error.status_code == 404
    assert error.operation_outcome == body
    assert error.diagnostics == "error not-found: Resource Observation/nope is not known"
    assert error.url == f"{BASE}/Observation/nope"
    assert "404" in str(error)
    assert "Observation/nope is not known" in str(error)


async def test_error_without_outcome_body_has_empty_diagnostics() -> None:
    async with client_answering(httpx2.Response(404, text="<html>Not found</html>")) as client:
        with pytest.raises(FhirHTTPError) as caught:
            await client.read("Observation", "nope")
    assert caught.value.operation_outcome is None
    assert caught.value.diagnostics == ""


async def test_non_json_success_raises_invalid_response() -> None:
    html = httpx2.Response(200, text="<html>Please sign in</html>", headers={"Content-Type": "text/html"})
    async with client_answering(html) as client:
        with pytest.raises(InvalidFhirResponse) as caught:
            await client.read("Patient", "p1")
    assert "text/html" in str(caught.value)


async def test_wrong_resource_type_raises_invalid_response() -> None:
    async with client_answering(httpx2.Response(200, json={"resourceType": "Patient", "id": "p1"})) as client:
        with pytest.raises(InvalidFhirResponse, match="expected a Bundle"):
            await client.search("Observation")


async def test_a_huge_wrong_resource_type_is_quoted_bounded() -> None:
    async with client_answering(httpx2.Response(200, json={"resourceType": "\u202eB" * 50_000})) as client:
        with pytest.raises(InvalidFhirResponse, match=r"expected a Bundle, got 'B{100}…'") as caught:
            await client.search("Observation")
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("resource_type", "resource_id"),
    [("Patient", "../metadata"), ("Patient", "a/b"), ("Patient", ""), ("patient", "p1"), ("Pa tient", "p1")],
)
async def test_unsafe_type_or_id_is_refused_before_sending(resource_type: str, resource_id: str) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise AssertionError("nothing should be sent")

    async with FhirClient(BASE, transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(InvalidFhirRequest):
            await client.read(resource_type, resource_id)


def test_every_error_is_a_fhir_client_error() -> None:
    for error_type in (FhirHTTPError, FhirTransportError, InvalidFhirRequest, InvalidFhirResponse):
        assert issubclass(error_type, FhirClientError)


async def test_the_token_never_appears_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echoing = outcome(f"invalid token {TOKEN}", code="security")
    failures: list[httpx2.Response | Exception] = [
        httpx2.Response(401, json=echoing),
        httpx2.Response(500, text=f"Authorization: Bearer {TOKEN}"),
        httpx2.Response(200, text="not json"),
        httpx2.ConnectError("refused"),
        httpx2.Response(503),
    ]
    messages: list[str] = []
    for failure in failures:

        def handler(request: httpx2.Request, failure: httpx2.Response | Exception = failure) -> httpx2.Response:
            assert request.headers["Authorization"] == f"Bearer {TOKEN}"
            if isinstance(failure, Exception):
                raise failure
            return failure

        async with FhirClient(
            BASE, bearer_token=TOKEN, transport=httpx2.MockTransport(handler), sleep=no_wait, max_retries=1
        ) as client:
            with pytest.raises(FhirClientError) as caught:
                await client.read("Patient", "p1")
        error = caught.value
        messages += [str(error), repr(error), repr(client), repr(vars(error))]
    assert messages
    assert all(TOKEN not in message for message in messages)
    assert TOKEN not in caplog.text
    assert "<redacted>" in " ".join(messages)


def test_bearer_token_and_auth_are_exclusive() -> None:
    with pytest.raises(ValueError, match="either"):
        FhirClient(BASE, bearer_token=TOKEN, auth=httpx2.BasicAuth("a", "b"))


def test_base_url_must_be_absolute_http() -> None:
    with pytest.raises(ValueError, match="absolute"):
        FhirClient("ehr.example.org/fhir")


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ({"issue": [{"severity": "error", "code": "invalid", "diagnostics": "bad  n"}]}, "error invalid: bad n"),
        ({"issue": [{"severity": "error", "code": "processing", "details": {"text": "no"}}]}, "error processing: no"),
        ({"issue": [{"severity": "warning", "code": "x\u202ey"}]}, "warning xy"),
        ({"issue": "not a list"}, ""),
        (None, ""),
    ],
)
def test_outcomes_are_summarised_on_one_line(outcome: dict[str, Any] | None, expected: str) -> None:
    assert describe_outcome(outcome) == expected


def test_a_hostile_outcome_is_summarised_bounded() -> None:
    issue = {"severity": "error", "code": "invalid", "diagnostics": "A" * 100_000 + "\u202e\x00"}
    summary = describe_outcome({"issue": [issue] * 50})
    assert len(summary) < 12 * (OUTCOME_TEXT_LIMIT + 40) and summary.endswith("; 40 more issue(s)")
    assert "\x00" not in summary and "\u202e" not in summary
