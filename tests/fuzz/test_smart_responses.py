"""Hostile SMART servers: malformed discovery documents and token responses, forged redirects and
oversized fields, against the real fhir_client launch code over ``httpx2.MockTransport``.

Whatever the server says, the client answers with a ``SmartError`` (or succeeds on a usable answer),
never another exception, and no message or log line carries this app's secrets.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fhir_client import (
    ClientAuthMethod,
    ClientCredentials,
    SmartError,
    SourceCatalog,
    begin_launch,
    code_from_redirect,
    complete_launch,
    discover_smart_configuration,
)
from tests.fuzz.smart_answers import (
    BASE,
    CAPABILITY,
    REDIRECT,
    SMART_CONFIGURATION,
    TOKEN_ERROR,
    TOKEN_RESPONSE,
    Answer,
    answers,
)
from tests.sandbox.ehr.ehr_harness import MemorySecrets

EXAMPLES = int(os.environ.get("FHIRGATE_FUZZ_EXAMPLES", "150"))
CLIENT_SECRET = "canary-client-secret-Zq81"
CODE = "canary-auth-code-Hx42"
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
    derandomize=EXAMPLES < 1000,  # `make test` replays one fixed set; `make fuzz` explores
)
LAUNCH_FUZZ = settings(FUZZ, max_examples=max(EXAMPLES // 2, 10))  # each example is a whole launch


class LogTap(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture(scope="module")
def log_tap() -> Iterator[LogTap]:
    tap, root = LogTap(), logging.getLogger()
    previous = root.level
    root.addHandler(tap)
    root.setLevel(logging.DEBUG)
    yield tap
    root.removeHandler(tap)
    root.setLevel(previous)


def _assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"secret echoed: {text[:300]}"


@FUZZ
@given(well_known=answers(SMART_CONFIGURATION), metadata=answers(CAPABILITY))
def test_any_discovery_document_gives_a_configuration_or_a_discovery_error(
    well_known: Answer, metadata: Answer
) -> None:
    def serve(request: httpx2.Request) -> httpx2.Response:
        return (well_known if request.url.path.endswith("smart-configuration") else metadata).response()

    async def discover() -> None:
        async with httpx2.AsyncClient(transport=httpx2.MockTransport(serve)) as http:
            config = await discover_smart_configuration(http, BASE)
        assert isinstance(config.authorization_endpoint, str) and isinstance(config.token_endpoint, str)

    try:
        asyncio.run(discover())
    except SmartError as exc:
        assert "Traceback" not in str(exc) and len(str(exc)) < 500 and str(exc).isprintable(), str(exc)[:300]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> SourceCatalog:
    """One catalog for every example: each launch begins afresh, so the source is pending again."""
    return SourceCatalog(Path(tmp_path_factory.mktemp("smart")) / "sources.sqlite3")


@LAUNCH_FUZZ
@given(token=answers(TOKEN_RESPONSE) | answers(TOKEN_ERROR), method=st.sampled_from(["basic", "post"]))
def test_any_token_response_gives_tokens_or_a_smart_error_without_secrets(
    catalog: SourceCatalog, log_tap: LogTap, token: Answer, method: str
) -> None:
    auth = ClientAuthMethod.CLIENT_SECRET_BASIC if method == "basic" else ClientAuthMethod.CLIENT_SECRET_POST
    credentials = ClientCredentials("fuzz-app", auth, client_secret=CLIENT_SECRET)
    secrets = MemorySecrets()

    def serve(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("smart-configuration"):
            return httpx2.Response(200, json=SMART_CONFIGURATION)
        return token.response()

    async def launch() -> str:
        transport = httpx2.MockTransport(serve)
        url = await begin_launch(
            "practice", BASE, credentials, catalog=catalog, secrets=secrets, redirect_uri=REDIRECT, transport=transport
        )
        state = httpx2.URL(url).params["state"]
        verifier = secrets.get("smart:practice:code_verifier") or ""
        redirect = f"{REDIRECT}?code={CODE}&state={state}"
        await complete_launch("practice", redirect, credentials, catalog=catalog, secrets=secrets, transport=transport)
        return verifier

    log_tap.lines.clear()
    try:
        verifier = asyncio.run(launch())
    except SmartError as exc:
        message = str(exc)
        _assert_no_secret(message, CLIENT_SECRET, CODE)
        assert len(message) < 600 and message.isprintable(), message[:300]
        verifier = ""
    else:
        record = catalog.get("practice")
        assert record is not None and record.state == "connected" and record.patient_id
    _assert_no_secret("\n".join(log_tap.lines), CLIENT_SECRET, CODE, *([verifier] if verifier else []))


@FUZZ
@given(
    state=st.one_of(st.just("expected-state"), st.sampled_from(["", "EXPECTED-STATE", "expected-state "]), st.text()),
    extra=st.dictionaries(st.sampled_from(["error", "error_description", "code", "state", "iss"]), st.text()),
)
def test_a_forged_or_odd_redirect_is_refused_without_echoing_the_code(state: str, extra: dict[str, str]) -> None:
    query = httpx2.QueryParams({"code": CODE, "state": state, **extra})
    try:
        code = code_from_redirect(f"{REDIRECT}?{query}", "expected-state")
    except SmartError as exc:
        _assert_no_secret(str(exc), CODE)
    else:
        assert query.get("state") == "expected-state" and not query.get("error")
        assert code == query.get("code")
