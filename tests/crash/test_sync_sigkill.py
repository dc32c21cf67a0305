"""Crash safety: `fhirgate sync` killed with SIGKILL at random points never corrupts the store.

A real `fhirgate sync` subprocess (file keyring fallback, FHIRGATE_HOME in tmp) syncs from the sandbox
kp.org on loopback and is killed N times, each time after a random number of surfaces committed plus a
random few milliseconds (so inside a transaction or between two). After each kill the store opens and
passes ``PRAGMA integrity_check``; a final uninterrupted sync then holds the same content as a sync
that was never interrupted. ``make fuzz`` raises N (FHIRGATE_CRASH_KILLS); the seed is printed on
failure so a run can be repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings
from gateway.kaiser.session import load_session, save_session
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from tests.home_modes import loose_paths
from tests.sync.portal_harness import Portal, make_portal

KILLS = int(os.environ.get("FHIRGATE_CRASH_KILLS", "3"))
# Enough surfaces for several commits per sync (each its own transaction), few enough to stay quick.
SURFACES = ("profile", "test-results", "medications", "problems", "allergies", "implants")
KAISER_FIELDS = ("portal_url", "identity_url", "pharmacy_url", "username", "mycare_api_key", "pharmacy_client_id")
SYNC = [sys.executable, "-m", "fhirgate", "sync", *(f"--surface={name}" for name in SURFACES)]
SEED = int(os.environ.get("FHIRGATE_CRASH_SEED", str(random.SystemRandom().randrange(10**6))))


@pytest.fixture
def portal() -> Iterator[Portal]:
    served = make_portal(seed=17)
    # A few lab orders keep each sync short; PDFs are ready at once (a "Generating" PDF waits 30 s).
    served.config.patient = dataclasses.replace(served.patient, lab_orders=served.patient.lab_orders[:4])
    served.config.pdf_generating_calls = 0
    with serve_in_thread(served.app) as server:
        served.served_at = server.base_url
        yield served


def _environment(portal: Portal, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="160")
    kaiser = portal.kaiser  # the same settings the in-process harness uses, as `fhirgate` reads them
    env.update({f"FHIRGATE_KAISER_{name.upper()}": str(getattr(kaiser, name)) for name in KAISER_FIELDS})
    return env


def _secrets(env: dict[str, str]) -> SecretStore:
    """The home's secrets as the subprocess sees them: no keychain, so the 0600 file fallback."""
    settings = Settings.from_environ(env)
    return SecretStore(settings.keyring_service, FileKeyring(settings.home / "secrets.json"))


def _seed_session(portal: Portal, env: dict[str, str]) -> None:
    """Sign in through the sandbox's forms and leave the session where `fhirgate login` would."""
    Settings.from_environ(env).home.mkdir(mode=0o700, parents=True, exist_ok=True)
    save_session(_secrets(env), asyncio.run(portal.sign_in()))


def _session_cookies(env: dict[str, str]) -> list[str]:
    session = load_session(_secrets(env))
    assert session is not None
    return [str(cookie["value"]) for cookie in session.cookies if len(str(cookie["value"])) >= 8]


def _sync_process(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(SYNC, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603 - our CLI


def _content(path: Path) -> dict[tuple[str, str], str]:
    """Every stored resource's content hash; Provenance is left out (it records when each sync ran)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT resource_type, id, content_hash FROM resources WHERE resource_type != 'Provenance'")
        return {(kind, resource_id): digest for kind, resource_id, digest in rows}


def _integrity(path: Path) -> list[str]:
    SqliteStore.open(path).close()  # opens (and migrates) like every command does
    with sqlite3.connect(path) as conn:
        return [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]


def _reference(portal: Portal, path: Path) -> dict[tuple[str, str], str]:
    """The content of one uninterrupted sync."""
    store = SqliteStore.open(path)
    try:

        async def run() -> None:
            async with await portal.client() as client:
                assert (await SyncEngine(client, store, clock=portal.clock).run(SURFACES)).ok

        asyncio.run(run())
    finally:
        store.close()
    return _content(path)


def _wait_for_commits(path: Path, process: subprocess.Popen[bytes], since: str, commits: int) -> None:
    """Until this run of the sync has committed ``commits`` surfaces (or has ended).

    Waiting on progress rather than on a clock puts each kill inside the sync, however slow the machine.
    """
    while process.poll() is None:
        if path.exists():
            with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
                try:
                    done = conn.execute("SELECT COUNT(*) FROM surfaces WHERE last_attempt >= ?", (since,)).fetchone()
                except sqlite3.OperationalError:  # not migrated yet
                    done = (0,)
            if done[0] >= commits:
                return
        time.sleep(0.005)


def test_sigkilled_syncs_leave_a_sound_store_and_the_next_sync_completes_it(portal: Portal, tmp_path: Path) -> None:
    expected = _reference(portal, tmp_path / "reference.sqlite3")
    env = _environment(portal, tmp_path / "home")
    _seed_session(portal, env)
    store = Settings.from_environ(env).store_path
    rng = random.Random(SEED)
    killed_mid_sync = 0
    for attempt in range(KILLS):
        since = datetime.now(UTC).isoformat()
        process = _sync_process(env)
        _wait_for_commits(store, process, since, rng.randrange(len(SURFACES)))
        time.sleep(rng.uniform(0.0, 0.05))  # between commits, or inside the next surface's transaction
        killed_mid_sync += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        assert _integrity(store) == ["ok"], f"seed={SEED} kill={attempt}"
        assert loose_paths(tmp_path / "home") == [], f"seed={SEED} kill={attempt}"
    debug = {**env, "FHIRGATE_LOG_LEVEL": "DEBUG"}  # the last run also shows a DEBUG run keeps the session secret
    finished = subprocess.run(SYNC, env=debug, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert finished.returncode == 0, f"seed={SEED}: {finished.stderr[-2000:]}"
    assert "DEBUG " in finished.stderr
    assert not [c for c in _session_cookies(env) if c in finished.stdout + finished.stderr], "a cookie was printed"
    assert _integrity(store) == ["ok"]
    assert _content(store) == expected, f"seed={SEED}"
    assert loose_paths(tmp_path / "home") == []
    assert killed_mid_sync >= 1, f"seed={SEED}: every sync finished before its kill; nothing was tested"
