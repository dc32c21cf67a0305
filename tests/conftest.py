"""Test-wide setup: secrets go to an in-memory keyring, never the machine's keychain or a file; property
tests replay a fixed set of examples with no time limit (``make test`` must not flake), while
``make fuzz`` (``FHIRGATE_FUZZ_EXAMPLES``) lets hypothesis explore."""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import pytest
from hypothesis import settings
from keyring.backend import KeyringBackend

settings.register_profile("replay", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile("explore" if os.environ.get("FHIRGATE_FUZZ_EXAMPLES") else "replay")


class InMemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[InMemoryKeyring]:
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
