"""`fhirgate open` and the web app next to the facade: one process serves `/fhir` (bearer token) and
`/` (session cookie); the sign-in link is for the web app serving the home, or `open` serves it itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx2
from starlette.testclient import TestClient
from typer.testing import CliRunner

from fhirgate.approval_wiring import approval_decisions, home_web_app, record_web_address
from fhirgate.cli import app
from fhirgate.commands.serve import _web_app, build_facade
from fhirgate.kaiser_source import KaiserSource
from fhirgate.secrets import SecretStore
from fhirgate.serving import free_port, serve_in_thread
from fhirgate.settings import Settings
from fhirgate.write_wiring import write_operations
from gateway.store import SqliteStore
from gateway.web import facade_and_web


def test_serve_answers_fhir_with_the_token_and_the_web_app_with_a_session(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    store = SqliteStore.open(tmp_path / "store.db")
    facade = build_facade(KaiserSource(store), token="t", host="127.0.0.1", port=8765, cors_origins=[])
    writes = write_operations(settings, SecretStore.for_settings(settings))
    served = facade_and_web(facade, _web_app(settings, writes, 8765, store))
    with TestClient(served, base_url="http://127.0.0.1:8765", follow_redirects=False) as client:
        assert client.get("/fhir/metadata").status_code == 200
        assert client.get("/fhir/Patient").status_code == 401  # no bearer token: the facade's guard
        assert client.get("/approvals").status_code == 401  # no session: sign in with `fhirgate open`
        assert client.get("/overview").status_code == 401  # the record pages read the facade's store, signed in
        assert client.get("/approvals", headers={"Authorization": "Bearer t"}).status_code == 401  # token ≠ session
        assert "frame-ancestors 'none'" in client.get("/approvals").headers["content-security-policy"]
    store.close()


def test_open_prints_a_one_time_link_for_the_running_web_app(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    port = free_port()
    with serve_in_thread(home_web_app(settings, approval_decisions(settings), port=port), port=port) as web:
        record_web_address(settings, web.base_url)
        result = CliRunner().invoke(app, ["open", "--no-browser"], env={"FHIRGATE_HOME": str(tmp_path)})
        assert result.exit_code == 0, result.output
        link = result.stdout.strip()
        assert link.startswith(f"{web.base_url}/login?token=")
        with httpx2.Client() as browser:
            first = browser.get(link)
            assert first.status_code == 303 and "fhirgate_session" in first.cookies
            assert browser.get(f"{web.base_url}/approvals").status_code == 200
        assert httpx2.get(link).status_code == 403  # once only
    assert (tmp_path / "web.sqlite3").stat().st_mode & 0o777 == 0o600


def test_open_serves_the_web_app_itself_when_none_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(tmp_path), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    with subprocess.Popen(
        [sys.executable, "-m", "fhirgate", "open", "--no-browser"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            link = process.stdout.readline().strip()
            assert link.startswith("http://127.0.0.1:") and "/login?token=" in link
            assert (tmp_path / "web-address").read_text() == link.split("/login")[0]
            with httpx2.Client() as browser:
                assert browser.get(link).status_code == 303
                page = browser.get(link.split("/login")[0] + "/approvals")
            assert page.status_code == 200 and "Nothing is waiting for your approval." in page.text
        finally:
            process.terminate()
            process.wait(timeout=10)
