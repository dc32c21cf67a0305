"""A keychain that lies is caught: values read back are checked against the form fhirgate made them in
(a keychain answering ``"a"`` must not make ``Bearer a`` valid), and a backend that does not read back
what was written is reported by the write itself and by `fhirgate doctor`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from fhirgate.doctor_checks import check_secrets
from fhirgate.facade_token import FACADE_TOKEN_NAME, facade_token
from fhirgate.secret_errors import KeychainMismatch, SecretValueInvalid
from fhirgate.secrets import SecretStore
from fhirgate.settings import KaiserSettings, Settings
from fhirgate.write_wiring import CONFIRMATION_KEY, confirmation_key
from tests.conftest import InMemoryKeyring


class AnswersA(InMemoryKeyring):
    """Stores what it is given but answers ``"a"`` for some names."""

    def __init__(self, lies_about: set[str]) -> None:
        super().__init__()
        self.lies_about = lies_about

    def get_password(self, service: str, username: str) -> str | None:
        return "a" if username in self.lies_about else super().get_password(service, username)


class Forgetful(KeyringBackend):
    """Accepts every write and keeps none (what a locked or misconfigured keychain can do)."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        return None

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError(username)


def _store(tmp_path: Path, backend: KeyringBackend) -> SecretStore:
    keyring.set_keyring(backend)
    return SecretStore.for_settings(Settings(home=tmp_path / "home", kaiser=KaiserSettings()))


def test_a_facade_token_of_a_is_refused_not_served(tmp_path: Path) -> None:
    store = _store(tmp_path, AnswersA({FACADE_TOKEN_NAME}))
    with pytest.raises(SecretValueInvalid, match=r"facade-token .*1 characters; expected 32 to 512 URL-safe"):
        facade_token(store)


class AnswersAForTheFacadeToken(AnswersA):
    """Loadable by name (PYTHON_KEYRING_BACKEND) in a subprocess."""

    def __init__(self) -> None:
        super().__init__({FACADE_TOKEN_NAME})


def test_the_cli_says_so_in_one_line_and_prints_no_token(tmp_path: Path) -> None:
    backend = f"{__name__}.{AnswersAForTheFacadeToken.__name__}"
    env = {**os.environ, "FHIRGATE_HOME": str(tmp_path / "home"), "PYTHON_KEYRING_BACKEND": backend}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parents[2]), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "fhirgate", "token"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "facade-token fhirgate did not make" in lines[0], done.stderr
    assert "fhirgate token --rotate" in lines[0]


@pytest.mark.parametrize("value", ["a", "g" * 64, "ab" * 16, "0" * 66])
def test_a_confirmation_key_of_the_wrong_form_is_refused(
    tmp_path: Path, memory_keyring: InMemoryKeyring, value: str
) -> None:
    store = _store(tmp_path, memory_keyring)
    memory_keyring.secrets[(store.service, CONFIRMATION_KEY)] = value
    with pytest.raises(SecretValueInvalid, match="64 hex digits"):
        confirmation_key(store)


def test_well_formed_values_pass_and_are_stable(tmp_path: Path, memory_keyring: InMemoryKeyring) -> None:
    store = _store(tmp_path, memory_keyring)
    token, key = facade_token(store), confirmation_key(store)
    assert len(token) == 43 and len(key) == 32
    assert (facade_token(store), confirmation_key(store)) == (token, key)


def test_a_backend_that_does_not_keep_writes_is_detected_and_reported(tmp_path: Path) -> None:
    store = _store(tmp_path, Forgetful())
    with pytest.raises(KeychainMismatch, match="did not read back what was written to 'kaiser-password'"):
        store.set("kaiser-password", "pw")
    verdict = check_secrets(store)
    assert not verdict.ok and "did not read back" in verdict.detail and "PYTHON_KEYRING_BACKEND" in verdict.fix

    lying = _store(tmp_path, AnswersA({"_probe"}))
    assert not check_secrets(lying).ok


def test_an_honest_keychain_passes_the_doctor_check(tmp_path: Path, memory_keyring: InMemoryKeyring) -> None:
    store = _store(tmp_path, memory_keyring)
    verdict = check_secrets(store)
    assert verdict.ok and not verdict.warning and verdict.detail.startswith("OS keychain")
    assert memory_keyring.secrets == {}  # the probe cleaned up after itself
