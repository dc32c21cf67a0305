"""The standalone launch against the sandbox EHR in-process: each client authentication method,
and each way the launch can fail, with the message the user sees."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2
import pytest

from fhir_client import (
    AuthorizationError,
    ClientAuthMethod,
    ClientCredentials,
    SmartError,
    SourceCatalog,
    TokenEndpointError,
    begin_launch,
    complete_launch,
    disconnect_source,
)
from sandbox.ehr.grants import GrantError
from tests.sandbox.ehr.ehr_harness import (
    ORIGIN,
    REDIRECT_URI,
    MemorySecrets,
    connect_in_process,
    consent_by_form,
    credentials,
    ehr_config,
    ehr_in_process,
    in_process,
)


@pytest.mark.parametrize("method", list(ClientAuthMethod))
async def test_launch_with_each_client_auth_method_connects_and_reads_the_record(
    tmp_path: Path, method: ClientAuthMethod
) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home", method)
        record = connection.catalog.get("practice")
        assert record is not None and record.state == "connected"
        assert record.patient_id == ehr.record.patient_id
        async with connection.client() as client:
            who = await client.whoami()
            labs = await client.search("Observation", {"category": "laboratory"})
        assert who.patient_id == ehr.record.patient_id
        assert who.name is not None and ehr.record.person.surname in who.name
        assert labs["total"] == 3
        access, refresh = _tokens(connection.secrets)
        assert access and refresh
        assert "smart:practice:code_verifier" not in connection.secrets.values


def _tokens(secrets: MemorySecrets) -> tuple[str, str]:
    data = json.loads(secrets.values["smart:practice:tokens"])
    return data["access_token"], data["refresh_token"]


async def _begin(
    tmp_path: Path, ehr_transport: httpx2.AsyncBaseTransport, base: str, method: ClientAuthMethod
) -> tuple[SourceCatalog, MemorySecrets, str]:
    catalog = SourceCatalog(tmp_path / "home" / "sources.sqlite3")
    secrets = MemorySecrets()
    url = await begin_launch(
        "practice",
        base,
        credentials(method),
        catalog=catalog,
        secrets=secrets,
        redirect_uri=REDIRECT_URI,
        transport=ehr_transport,
    )
    return catalog, secrets, url


async def test_redirect_with_another_state_is_refused(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        transport = in_process(ehr)
        catalog, secrets, url = await _begin(tmp_path, transport, ehr.fhir_base(ORIGIN), ClientAuthMethod.NONE)
        redirect = await consent_by_form(url, transport)
        forged = redirect.replace("state=", "state=x")
        with pytest.raises(AuthorizationError, match="state does not match"):
            await complete_launch(
                "practice",
                forged,
                credentials(ClientAuthMethod.NONE),
                catalog=catalog,
                secrets=secrets,
                transport=transport,
            )
        record = catalog.get("practice")
        assert record is not None and record.state == "pending"


async def test_wrong_pkce_verifier_is_refused_by_the_token_endpoint(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        transport = in_process(ehr)
        catalog, secrets, url = await _begin(tmp_path, transport, ehr.fhir_base(ORIGIN), ClientAuthMethod.NONE)
        redirect = await consent_by_form(url, transport)
        secrets.set("smart:practice:code_verifier", "a" * 64)
        with pytest.raises(TokenEndpointError, match="PKCE code_verifier does not match") as caught:
            await complete_launch(
                "practice",
                redirect,
                credentials(ClientAuthMethod.NONE),
                catalog=catalog,
                secrets=secrets,
                transport=transport,
            )
        assert caught.value.error == "invalid_grant"


async def test_denied_consent_says_access_was_not_granted(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        transport = in_process(ehr)
        catalog, secrets, url = await _begin(tmp_path, transport, ehr.fhir_base(ORIGIN), ClientAuthMethod.NONE)
        redirect = await consent_by_form(url, transport, decision="deny")
        with pytest.raises(AuthorizationError, match="access was not granted"):
            await complete_launch(
                "practice",
                redirect,
                credentials(ClientAuthMethod.NONE),
                catalog=catalog,
                secrets=secrets,
                transport=transport,
            )


async def test_wrong_client_secret_names_the_credentials_as_the_problem(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        transport = in_process(ehr)
        catalog, secrets, url = await _begin(
            tmp_path, transport, ehr.fhir_base(ORIGIN), ClientAuthMethod.CLIENT_SECRET_BASIC
        )
        redirect = await consent_by_form(url, transport)
        wrong = ClientCredentials("app-secret", ClientAuthMethod.CLIENT_SECRET_BASIC, client_secret="not-the-secret")
        with pytest.raises(TokenEndpointError, match="did not accept this app's credentials") as caught:
            await complete_launch("practice", redirect, wrong, catalog=catalog, secrets=secrets, transport=transport)
        assert caught.value.error == "invalid_client"
        assert "not-the-secret" not in str(caught.value)


async def test_reused_authorization_code_is_refused(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        transport = in_process(ehr)
        catalog, secrets, url = await _begin(tmp_path, transport, ehr.fhir_base(ORIGIN), ClientAuthMethod.NONE)
        redirect = await consent_by_form(url, transport)
        verifier = secrets.get("smart:practice:code_verifier")
        await complete_launch(
            "practice",
            redirect,
            credentials(ClientAuthMethod.NONE),
            catalog=catalog,
            secrets=secrets,
            transport=transport,
        )
        catalog.update("practice", state="pending", launch_state=redirect.split("state=")[1])
        secrets.set("smart:practice:code_verifier", verifier or "")
        with pytest.raises(TokenEndpointError, match=r"expired, was revoked or was already used \[invalid_grant\]"):
            await complete_launch(
                "practice",
                redirect,
                credentials(ClientAuthMethod.NONE),
                catalog=catalog,
                secrets=secrets,
                transport=transport,
            )


async def test_token_response_without_patient_is_a_clear_error(tmp_path: Path) -> None:
    config = ehr_config()
    config.faults.omit_patient = True
    with ehr_in_process(tmp_path, config) as ehr:
        transport = in_process(ehr)
        catalog, secrets, url = await _begin(tmp_path, transport, ehr.fhir_base(ORIGIN), ClientAuthMethod.NONE)
        redirect = await consent_by_form(url, transport, drop_scopes=("openid", "fhirUser"))
        with pytest.raises(SmartError, match="no `patient` in the token response"):
            await complete_launch(
                "practice",
                redirect,
                credentials(ClientAuthMethod.NONE),
                catalog=catalog,
                secrets=secrets,
                transport=transport,
            )


async def test_authorize_url_carries_pkce_s256_state_aud_and_scopes(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        _, _, url = await _begin(tmp_path, in_process(ehr), ehr.fhir_base(ORIGIN), ClientAuthMethod.NONE)
    params = httpx2.URL(url).params
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["aud"] == ehr.fhir_base(ORIGIN)
    assert len(params["state"]) >= 32
    # a public client: no offline_access (healow gives public clients no refresh token)
    assert params["scope"].split() == ["launch/patient", "openid", "fhirUser", "patient/*.rs"]


@pytest.mark.parametrize("method", [ClientAuthMethod.PRIVATE_KEY_JWT, ClientAuthMethod.CLIENT_SECRET_POST])
async def test_disconnect_revokes_at_the_practice_and_forgets_the_source(
    tmp_path: Path, method: ClientAuthMethod
) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home", method)
        access, refresh = _tokens(connection.secrets)
        revoked = await disconnect_source(
            "practice", catalog=connection.catalog, secrets=connection.secrets, transport=connection.transport
        )
        assert revoked
        assert ehr.ledger.access_grant(access) is None
        with pytest.raises(GrantError, match="unknown or revoked"):
            ehr.ledger.use_refresh_token(refresh, credentials(method).client_id)
        assert connection.catalog.get("practice") is None
        assert "smart:practice:tokens" not in connection.secrets.values
