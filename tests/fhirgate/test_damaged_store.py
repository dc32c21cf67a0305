"""A store file replaced by garbage or truncated: `serve`, `status` and `mcp` print one clear line naming
`fhirgate doctor` and exit 1 (no traceback); `doctor` says how to fix it. Real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest

from gateway.store import SqliteStore
from tests.store.sample_resources import lab, patient

T0 = "2026-01-01T00:00:00+00:00"
COMMANDS = (("status",), ("serve", "--offline", "--port", "0"), ("mcp",))


def _garbage(store: Path) -> None:
    store.write_bytes(os.urandom(8192))


def _truncated(store: Path) -> None:
    with store.open("r+b") as file:
        file.truncate(store.stat().st_size // 2)


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="300")
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "fhirgate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("damage", [_garbage, _truncated], ids=["garbage", "truncated"])
def test_commands_on_a_damaged_store_say_so_in_one_line(tmp_path: Path, damage: object) -> None:
    home = tmp_path / "home"
    store = SqliteStore.open(home / "store.sqlite3")
    store.write_surface("profile", [patient()], now=datetime.fromisoformat(T0))
    store.write_surface("labs", [lab(f"o{i}") for i in range(200)], now=datetime.fromisoformat(T0))
    store.close()
    assert callable(damage)
    damage(home / "store.sqlite3")

    with ThreadPoolExecutor(max_workers=len(COMMANDS) + 1) as pool:
        runs = list(pool.map(lambda args: _run(home, *args), [*COMMANDS, ("doctor",)]))
    doctor = runs.pop()
    for args, done in zip(COMMANDS, runs, strict=True):
        errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
        assert done.returncode == 1, (args, done.stderr[-2000:])
        assert "Traceback" not in done.stderr, args
        assert len(errors) == 1 and "is damaged" in errors[0] and "fhirgate doctor" in errors[0], done.stderr
        if args[0] == "mcp":
            assert done.stdout == "", "stdout is MCP's; nothing else goes there"
    assert "restore it or run `fhirgate wipe`" in doctor.stdout + doctor.stderr
