"""The file fallback shared by several processes: no writer loses an entry, and a file that is not what
fhirgate wrote, or that others can read, is refused with one clear error — never silently replaced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from fhirgate.doctor_checks import check_secrets
from fhirgate.secret_errors import UnusableFileError
from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.settings import KaiserSettings, Settings

WRITES_PER_PROCESS = 200
_WRITER = """
import sys
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings

store = SecretStore.for_settings(Settings.from_environ({"FHIRGATE_HOME": sys.argv[1]}))
for n in range(int(sys.argv[3])):
    store.set(f"{sys.argv[2]}-{n}", f"value-{sys.argv[2]}-{n}")
"""


def _file_store(home: Path) -> SecretStore:
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    return SecretStore.for_settings(Settings(home=home, kaiser=KaiserSettings()))


def test_two_processes_writing_at_once_keep_every_entry(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    writers = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _WRITER, str(home), name, str(WRITES_PER_PROCESS)], env=env, stderr=subprocess.PIPE
        )
        for name in ("one", "two")
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr.decode()[-2000:]

    store = _file_store(home)
    for name in ("one", "two"):
        kept = [n for n in range(WRITES_PER_PROCESS) if store.get(f"{name}-{n}") == f"value-{name}-{n}"]
        assert len(kept) == WRITES_PER_PROCESS, f"{name}: {len(kept)} of {WRITES_PER_PROCESS} kept"
    indexed = {name for _, name in store.index.entries()} if store.index else set()
    assert len(indexed) == 2 * WRITES_PER_PROCESS  # wipe will find every one of them
    assert not list(home.glob(".secrets.json-*"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"[1, 2, 3]", "does not hold the secrets fhirgate writes"),
        (b'{"fhirgate": {"facade-token": "abc"', "is truncated or not JSON"),
        (b"\x00\xff garbage", "is truncated or not JSON"),
        (b"", "is empty"),
        (b'{"fhirgate": {"facade-token": 5}}', "does not hold the secrets fhirgate writes"),
    ],
)
def test_a_damaged_secrets_file_is_refused_and_kept(tmp_path: Path, content: bytes, problem: str) -> None:
    store = _file_store(tmp_path / "home")
    store.set("kaiser-password", "pw")
    path = tmp_path / "home" / "secrets.json"
    path.write_bytes(content)

    for attempt in (lambda: store.get("kaiser-password"), lambda: store.set("facade-token", "x" * 43)):
        with pytest.raises(UnusableFileError) as caught:
            attempt()
        assert str(caught.value) == f"{path} {problem}; {caught.value.fix}"
        assert "fhirgate doctor" in str(caught.value)
    assert path.read_bytes() == content  # never silently replaced

    verdict = check_secrets(store)
    assert not verdict.ok and problem in verdict.detail
    assert f"mv {path} {path}.damaged" in verdict.fix


def test_a_secrets_file_readable_by_others_is_refused_with_the_chmod_to_run(tmp_path: Path) -> None:
    store = _file_store(tmp_path / "home")
    store.set("kaiser-password", "pw")
    path = tmp_path / "home" / "secrets.json"
    path.chmod(0o644)

    with pytest.raises(UnusableFileError, match="readable by other users") as caught:
        store.get("kaiser-password")
    assert str(caught.value).endswith(f"run: chmod 600 {path}")
    assert "mode 0644" in store.description
    verdict = check_secrets(store)
    assert not verdict.ok and "mode 0644" in verdict.detail and verdict.fix == f"chmod 600 {path}"

    path.chmod(0o600)
    assert store.get("kaiser-password") == "pw"
    healthy = check_secrets(store)
    assert healthy.ok and healthy.warning and "mode 0600" in healthy.detail


def test_the_file_backend_alone_refuses_a_non_object(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('"just a string"')
    path.chmod(0o600)
    with pytest.raises(UnusableFileError):
        FileKeyring(path).set_password("svc", "a", "1")
    assert path.read_text() == '"just a string"'


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="500")
    return subprocess.run(  # noqa: S603 - our own CLI with the test's arguments
        [sys.executable, "-m", "fhirgate", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_cli_names_the_damaged_file_in_one_line_and_doctor_says_how_to_recover(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    path = home / "secrets.json"
    path.write_bytes(b"[1, 2, 3]")
    path.chmod(0o600)

    token = _cli(home, "token")
    assert token.returncode == 1 and token.stdout == ""
    lines = token.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "fhirgate doctor" in lines[0], token.stderr

    doctor = _cli(home, "doctor")
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr
    found = " ".join(doctor.stdout.split())
    assert "does not hold the secrets fhirgate writes" in found and ".damaged" in found
    assert path.read_bytes() == b"[1, 2, 3]"
