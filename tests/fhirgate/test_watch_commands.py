"""The lock and the watch state through the real CLI: `fhirgate sync` beside a running sync, `fhirgate
status` showing a paused watcher; and a machine without a notifier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fhirgate.cli import app
from fhirgate.desktop_notice import DesktopNotifier
from fhirgate.scheduled_sync import LOGIN_PAUSE
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.sync_lock import ALREADY_RUNNING, SyncAlreadyRunning, home_sync_lock
from fhirgate.watch_state import WatchState, write_watch_state
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession, save_session


@pytest.fixture
def signed_in_home(tmp_path: Path) -> Iterator[Path]:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    save_session(SecretStore.for_settings(settings), PortalSession(cookies=(), user_agent="tests/1"))
    yield tmp_path


def test_sync_says_a_sync_is_already_running_instead_of_running_twice(signed_in_home: Path) -> None:
    with home_sync_lock(signed_in_home):
        result = CliRunner().invoke(app, ["sync"], env={"FHIRGATE_HOME": str(signed_in_home), "COLUMNS": "200"})
    assert result.exit_code == 1 and ALREADY_RUNNING in result.output, result.output


def test_the_lock_is_free_again_after_its_holder_leaves(tmp_path: Path) -> None:
    with home_sync_lock(tmp_path), pytest.raises(SyncAlreadyRunning), home_sync_lock(tmp_path):
        pass
    with home_sync_lock(tmp_path):
        pass


def test_status_shows_a_watcher_paused_for_a_sign_in(tmp_path: Path) -> None:
    write_watch_state(tmp_path, WatchState("login required", LOGIN_PAUSE, "2026-12-03T09:00:00+00:00", None))
    result = CliRunner().invoke(app, ["status"], env={"FHIRGATE_HOME": str(tmp_path), "COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert "scheduled sync paused" in result.output and "fhirgate login kaiser" in result.output


def test_no_notifier_on_path_is_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for platform in ("linux", "darwin"):
        notifier = DesktopNotifier(platform=platform)
        assert notifier.command("1 new results from Kaiser") is None
        assert notifier.notify("1 new results from Kaiser") is False


def test_watch_refuses_a_bad_interval(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["watch", "--every", "soon"], env={"FHIRGATE_HOME": str(tmp_path)})
    assert result.exit_code == 1 and "not a duration" in result.output


async def test_a_facade_refresh_is_refused_while_another_sync_of_the_home_runs(tmp_path: Path) -> None:
    from fhirgate.kaiser_source import SyncRefresher
    from gateway.facade import RefreshFailed
    from gateway.store import SqliteStore

    opened: list[bool] = []

    async def open_portal() -> PortalClient:
        opened.append(True)
        raise AssertionError("the portal is not contacted while another sync runs")

    store = SqliteStore.open(tmp_path / "store.sqlite3")
    refresher = SyncRefresher(store, open_portal, home=tmp_path)
    with home_sync_lock(tmp_path), pytest.raises(RefreshFailed, match="already running"):
        await refresher(("test-results",))
    store.close()
    assert opened == []


def test_serve_sync_every_runs_the_watcher_beside_the_server_and_stops_with_it(tmp_path: Path) -> None:
    import time
    from datetime import timedelta

    from fhirgate.background_watch import watching_in_background
    from fhirgate.watch_state import read_watch_state

    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    with watching_in_background(settings, SecretStore.for_settings(settings), timedelta(hours=6)):
        deadline = time.monotonic() + 20
        while read_watch_state(tmp_path) is None and time.monotonic() < deadline:
            time.sleep(0.05)
    state = read_watch_state(tmp_path)
    assert state is not None and state.state == "login required" and state.message == LOGIN_PAUSE


def test_fhirgate_watch_pauses_in_a_home_that_never_signed_in_and_stops_on_sigterm(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from fhirgate.watch_state import read_watch_state

    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(tmp_path), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "fhirgate", "watch", "--every", "1h", "--no-notify"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while read_watch_state(tmp_path) is None and time.monotonic() < deadline and watcher.poll() is None:
        time.sleep(0.1)
    watcher.send_signal(signal.SIGTERM)
    out, err = watcher.communicate(timeout=30)
    state = read_watch_state(tmp_path)
    assert state is not None and state.state == "login required", err
    assert watcher.returncode == 0 and out == "" and "every 1h" in err
