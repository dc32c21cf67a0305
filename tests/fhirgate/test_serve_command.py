"""`fhirgate serve` guards and `fhirgate token --rotate`, through the real CLI entry point."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient
from typer.testing import CliRunner

from fhirgate.cli import app
from fhirgate.commands.serve import build_facade
from fhirgate.kaiser_source import KaiserSource, home_kaiser_source
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.write_wiring import write_operations
from gateway.store import SqliteStore


def test_serve_refuses_a_non_loopback_host_without_the_phi_flag(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"], env={"FHIRGATE_HOME": str(tmp_path)})  # noqa: S104
    assert result.exit_code == 1
    assert "refusing to listen on 0.0.0.0" in result.output and "--i-understand-this-exposes-phi" in result.output
    assert not (tmp_path / "store.sqlite3").exists()  # refused before touching anything


def test_token_rotate_replaces_the_token(tmp_path: Path) -> None:
    env = {"FHIRGATE_HOME": str(tmp_path)}
    runner = CliRunner()
    first = runner.invoke(app, ["token"], env=env).stdout.strip()
    rotated = runner.invoke(app, ["token", "--rotate"], env=env).stdout.strip()
    again = runner.invoke(app, ["token"], env=env).stdout.strip()
    assert len(first) >= 40 and rotated != first and again == rotated


def test_the_served_facade_checks_the_port_and_knows_the_sync_surfaces(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "store.db")
    facade = build_facade(KaiserSource(store), token="t", host="127.0.0.1", port=8765, cors_origins=[])
    auth = {"Authorization": "Bearer t"}
    with TestClient(facade, base_url="http://127.0.0.1:8765") as client:
        bundle = client.get("/fhir/Observation", headers=auth).json()
        outcomes = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
        assert outcomes and all("never synced" in o["issue"][0]["diagnostics"] for o in outcomes)
        assert client.get("http://127.0.0.1:9999/fhir/Observation", headers=auth).status_code == 421
    store.close()


def test_serve_refreshes_through_the_sync_unless_offline(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    secrets = SecretStore.for_settings(settings)
    store = SqliteStore.open(tmp_path / "store.db")
    writes = write_operations(settings, secrets)
    five = timedelta(minutes=5)
    assert home_kaiser_source(settings, secrets, store, writes=writes, offline=True, ttl=five).refresh is None
    source = home_kaiser_source(settings, secrets, store, writes=writes, offline=False, ttl=five)
    assert source.refresh is not None and source.refresh.ttl == five
    facade = build_facade(source, token="t", host="127.0.0.1", port=8765, cors_origins=[])
    with TestClient(facade, base_url="http://127.0.0.1:8765") as client:
        bundle = client.get("/fhir/Observation", headers={"Authorization": "Bearer t"}).json()
    outcomes = [e["resource"]["issue"][0]["diagnostics"] for e in bundle["entry"]]
    # No Kaiser session in this home: the real refresher is asked, and says what to do.
    assert any("could not be refreshed" in o and "fhirgate login kaiser" in o for o in outcomes)
    store.close()


def test_serve_refuses_a_negative_ttl(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "--ttl", "-1"], env={"FHIRGATE_HOME": str(tmp_path)})
    assert result.exit_code == 2 and not (tmp_path / "store.sqlite3").exists()
