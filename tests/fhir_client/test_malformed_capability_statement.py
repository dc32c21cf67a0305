"""A CapabilityStatement whose `rest`, `security` or `extension` has the wrong JSON type is a
`DiscoveryError` saying it is malformed and where (issue 9's fuzz findings), not a TypeError/AttributeError."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from fhir_client import DiscoveryError, discover_smart_configuration
from fhir_client.smart_discovery import OAUTH_URIS_EXTENSION

BASE = "https://ehr.practice.test/fhir"
URIS = [{"url": "authorize", "valueUri": "https://a.test/auth"}, {"url": "token", "valueUri": "https://a.test/token"}]


def _statement(rest: Any) -> dict[str, Any]:
    return {"resourceType": "CapabilityStatement", "rest": rest}


def _security(security: Any) -> dict[str, Any]:
    return _statement([{"mode": "server", "security": security}])


def _oauth(extension: Any) -> dict[str, Any]:
    return _security({"extension": [{"url": OAUTH_URIS_EXTENSION, "extension": extension}]})


async def _discover(capability: dict[str, Any]) -> str:
    def server(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/metadata"):
            return httpx2.Response(200, json=capability)
        return httpx2.Response(404)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(server)) as http:
        return (await discover_smart_configuration(http, BASE)).token_endpoint


MALFORMED: dict[str, tuple[dict[str, Any], str]] = {
    "rest a number": (_statement(7), "CapabilityStatement.rest is not an array"),
    "rest an object": (_statement({"mode": "server"}), "CapabilityStatement.rest is not an array"),
    "rest item a string": (_statement(["server"]), "CapabilityStatement.rest is not an array of objects"),
    "security a list": (_security([{"extension": []}]), "rest.security is not an object"),
    "security a string": (_security("smart"), "rest.security is not an object"),
    "extension a number": (_security({"extension": 3}), "rest.security.extension is not an array"),
    "extension item a list": (_security({"extension": [[]]}), "rest.security.extension is not an array"),
    "oauth-uris extension a string": (_oauth("https://a.test"), "the oauth-uris extension.extension is not an"),
    "oauth-uris item a number": (_oauth([*URIS, 5]), "the oauth-uris extension.extension is not an"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
async def test_a_wrongly_typed_capability_statement_is_a_discovery_error_saying_where(case: str) -> None:
    capability, where = MALFORMED[case]
    with pytest.raises(DiscoveryError) as raised:
        await _discover(capability)
    message = str(raised.value)
    assert message.startswith("the server's CapabilityStatement is malformed: ") and where in message
    assert f"{BASE}/metadata" in message


@pytest.mark.parametrize(
    "capability",
    [_oauth(URIS), _statement([{"mode": "server", "security": {"extension": None}}, _oauth(URIS)["rest"][0]])],
)
async def test_well_typed_statements_still_give_the_oauth_endpoints(capability: dict[str, Any]) -> None:
    assert await _discover(capability) == "https://a.test/token"


@pytest.mark.parametrize("capability", [_statement(None), _security(None), _statement([]), _oauth([])])
async def test_absent_or_empty_parts_mean_no_smart_rather_than_malformed(capability: dict[str, Any]) -> None:
    with pytest.raises(DiscoveryError, match="does not offer SMART App Launch"):
        await _discover(capability)
