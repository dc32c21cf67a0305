"""Malformed token endpoint answers (issue 9's fuzz findings): each is a `TokenEndpointError` with a bounded,
printable message, never authlib's TypeError or AttributeError, and never the client secret or the code."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from fhir_client import ClientAuthMethod, ClientCredentials, TokenEndpointError
from fhir_client.errors import quoted
from fhir_client.token_requests import exchange_code, refresh_tokens
from fhir_client.tokens import TokenSet

ENDPOINT = "https://ehr.practice.test/oauth/token"
SECRET = "canary-secret-Lw09"
CODE = "canary-code-Pe55"
CREDENTIALS = ClientCredentials("app", ClientAuthMethod.CLIENT_SECRET_POST, client_secret=SECRET)
GOOD = {"access_token": "at", "token_type": "Bearer", "refresh_token": "rt"}


def _answering(status: int, content: bytes) -> httpx2.MockTransport:
    return httpx2.MockTransport(
        lambda request: httpx2.Response(status, headers={"content-type": "application/json"}, content=content)
    )


async def _exchange(status: int, content: bytes) -> dict[str, Any]:
    transport = _answering(status, content)
    return await exchange_code(
        CREDENTIALS,
        ENDPOINT,
        code=CODE,
        code_verifier="v" * 43,
        redirect_uri="http://127.0.0.1/cb",
        transport=transport,
    )


def _json(body: dict[str, Any]) -> bytes:
    return httpx2.Response(200, json=body).content


MALFORMED_EXPIRY = {
    "expires_in a word": (b'{"access_token": "at", "expires_in": "soon"}', "expires_in"),
    "expires_in a list": (b'{"access_token": "at", "expires_in": [3600]}', "expires_in"),
    "expires_in an object": (b'{"access_token": "at", "expires_in": {}}', "expires_in"),
    "expires_in true": (b'{"access_token": "at", "expires_in": true}', "expires_in"),
    "expires_in infinite": (b'{"access_token": "at", "expires_in": 1e400}', "expires_in"),
    "expires_at an object": (b'{"access_token": "at", "expires_in": 60, "expires_at": {"t": 1}}', "expires_at"),
    "expires_at a word": (b'{"access_token": "at", "expires_at": "tomorrow"}', "expires_at"),
}


@pytest.mark.parametrize("case", list(MALFORMED_EXPIRY))
async def test_an_expiry_that_is_not_a_number_is_a_token_endpoint_error(case: str) -> None:
    content, key = MALFORMED_EXPIRY[case]
    with pytest.raises(TokenEndpointError, match=f"answered with an {key} that is not a number of seconds"):
        await _exchange(200, content)


async def test_a_refresh_answer_with_a_malformed_expiry_is_a_token_endpoint_error() -> None:
    with pytest.raises(TokenEndpointError, match=r"refreshing the access token: .* expires_in that is not a number"):
        await refresh_tokens(
            CREDENTIALS, ENDPOINT, "rt", transport=_answering(200, b'{"access_token": "a", "expires_in": []}')
        )


@pytest.mark.parametrize("expiry", [{"expires_in": 3600}, {"expires_in": "3600"}, {"expires_at": 1_900_000_000.0}, {}])
async def test_numeric_or_absent_expiries_still_give_tokens(expiry: dict[str, Any]) -> None:
    assert (await _exchange(200, _json({**GOOD, **expiry})))["access_token"] == "at"


ERROR_ANSWERS: dict[str, tuple[dict[str, Any], str, str]] = {
    "description a list": ({"error": "invalid_grant", "error_description": ["a", 1]}, "[invalid_grant]", ""),
    "description an object": ({"error": "invalid_grant", "error_description": {"x": 1}}, "[invalid_grant]", ""),
    "description a number": ({"error": "invalid_scope", "error_description": 7}, "[invalid_scope]", ""),
    "description with controls": (
        {"error": "invalid_grant", "error_description": "code\x00 \u202eexpired\n\tnow"},
        "[invalid_grant]",
        "(code expired now)",
    ),
    "error a list": ({"error": ["invalid_grant"]}, "[['invalid_grant']]", ""),
    "error huge": ({"error": "E" * 300_000}, "[" + "E" * 100 + "…]", ""),
    "error with bidi marks": ({"error": "invalid_\u202egrant\u200f"}, "[invalid_grant]", ""),
}


@pytest.mark.parametrize("case", list(ERROR_ANSWERS))
async def test_an_oauth_error_of_any_shape_is_quoted_bounded_and_printable(case: str) -> None:
    body, code_part, detail = ERROR_ANSWERS[case]
    with pytest.raises(TokenEndpointError) as raised:
        await _exchange(400, _json(body))
    message = str(raised.value)
    assert code_part in message and detail in message
    assert len(message) < 400 and message.isprintable()
    assert SECRET not in message and CODE not in message


async def test_a_bidi_marked_error_code_still_gets_its_advice() -> None:
    with pytest.raises(TokenEndpointError, match="already used") as raised:
        await _exchange(400, _json({"error": "invalid_\u202egrant"}))
    assert raised.value.error == "invalid_grant"


def test_a_huge_token_type_is_quoted_bounded() -> None:
    with pytest.raises(TokenEndpointError, match="only Bearer is supported") as raised:
        TokenSet.from_response({"access_token": "at", "token_type": "MAC" * 100_000}, now=0.0)
    assert len(str(raised.value)) < 200 and str(raised.value).isprintable()


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("invalid_grant", 100, "invalid_grant"),
        ("a\x00b\u202ec\u200fd", 100, "abcd"),
        ("  many\n\t spaces  ", 100, "many spaces"),
        ("x" * 101, 100, "x" * 100 + "…"),
        ("y" * 10_000_000, 5, "yyyyy…"),
        (["list", 1], 100, "['list', 1]"),
        (None, 100, "None"),
    ],
)
def test_quoted_keeps_printable_characters_and_bounds_the_length(value: object, limit: int, expected: str) -> None:
    assert quoted(value, limit) == expected
