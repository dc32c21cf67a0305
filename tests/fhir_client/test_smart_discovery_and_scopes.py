"""SMART discovery (smart-configuration, then the CapabilityStatement's oauth-uris) and the scope
syntax chosen from what a server advertises."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from fhir_client import DiscoveryError, ScopeSyntax, SmartConfiguration, discover_smart_configuration, requested_scopes
from fhir_client.scopes import resource_scope, scope_syntax
from tests.sandbox.ehr.ehr_harness import ORIGIN, ehr_config, ehr_in_process, in_process


async def test_discovery_reads_the_well_known_smart_configuration(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            config = await discover_smart_configuration(http, ehr.fhir_base(ORIGIN))
    assert config.source == "smart-configuration"
    assert config.token_endpoint == f"{ORIGIN}/oauth/oauth2/token"
    assert config.revocation_endpoint == f"{ORIGIN}/oauth/oauth2/revoke"
    assert "S256" in config.code_challenge_methods and "permission-v2" in config.capabilities


async def test_discovery_falls_back_to_the_capability_statement_oauth_uris(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(smart_configuration=False)) as ehr:
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            config = await discover_smart_configuration(http, ehr.fhir_base(ORIGIN))
    assert config.source == "CapabilityStatement"
    assert config.authorization_endpoint == f"{ORIGIN}/oauth/oauth2/authorize"
    assert config.token_endpoint == f"{ORIGIN}/oauth/oauth2/token"
    assert config.revocation_endpoint == f"{ORIGIN}/oauth/oauth2/revoke"


async def test_a_server_without_smart_is_named_as_such() -> None:
    def plain_fhir(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/metadata"):
            return httpx2.Response(200, json={"resourceType": "CapabilityStatement", "rest": [{"mode": "server"}]})
        return httpx2.Response(404)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(plain_fhir)) as http:
        with pytest.raises(DiscoveryError, match="does not offer SMART App Launch"):
            await discover_smart_configuration(http, "https://fhir.example/r4")


async def test_a_base_url_that_is_not_fhir_says_check_the_base_url() -> None:
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(lambda r: httpx2.Response(404))) as http:
        with pytest.raises(DiscoveryError, match="check the base URL"):
            await discover_smart_configuration(http, "https://fhir.example/wrong")


def _config(**fields: object) -> SmartConfiguration:
    return SmartConfiguration("https://a.example/authorize", "https://a.example/token", **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "syntax"),
    [
        ({"capabilities": ("permission-v2",)}, ScopeSyntax.V2),
        ({"capabilities": ("permission-v1",)}, ScopeSyntax.V1),
        ({"scopes_supported": ("openid", "patient/*.rs", "patient/Observation.rs")}, ScopeSyntax.V2),
        ({"scopes_supported": ("openid", "patient/*.read")}, ScopeSyntax.V1),
        ({}, ScopeSyntax.V1),
    ],
)
def test_scope_syntax_follows_what_the_server_advertises(fields: dict[str, object], syntax: ScopeSyntax) -> None:
    assert scope_syntax(_config(**fields)) is syntax


def test_category_scopes_are_narrowed_in_v2_and_whole_type_in_v1() -> None:
    categories = [("Observation", "laboratory"), ("Observation", "vital-signs")]
    v2 = requested_scopes(_config(capabilities=("permission-v2",)), resource_types=("Patient",), categories=categories)
    v1 = requested_scopes(_config(capabilities=("permission-v1",)), resource_types=("Patient",), categories=categories)
    system = "http://terminology.hl7.org/CodeSystem/observation-category"
    assert v2 == [
        "launch/patient",
        "openid",
        "fhirUser",
        "offline_access",
        "patient/Patient.rs",
        f"patient/Observation.rs?category={system}|laboratory",
        f"patient/Observation.rs?category={system}|vital-signs",
    ]
    assert v1[4:] == ["patient/Patient.read", "patient/Observation.read"]
    assert resource_scope("*", ScopeSyntax.V1) == "patient/*.read"


def test_launch_scopes_the_server_does_not_list_are_not_requested() -> None:
    scopes = requested_scopes(_config(scopes_supported=("openid", "launch/patient", "patient/*.read")))
    assert scopes == ["launch/patient", "openid", "patient/*.read"]
