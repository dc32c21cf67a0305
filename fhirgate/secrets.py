"""Secrets (passwords, tokens, cookies) live in the OS keychain via keyring.

Headless Linux often has no keychain: keyring then reports its ``fail`` backend. In that case, and
only then, secrets go to a JSON file under FHIRGATE_HOME with mode 0600 (the reported fallback of
DESIGN.md), shared safely by concurrent processes (private_json_file.py); ``fhirgate status`` names the
backend in use. Secrets never go to the config or store. Every write is read back (a backend that does
not keep what it is given is reported, not trusted), and values with a known form are checked when
read. The errors are drawn in secret_errors.py.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets as random_tokens
from dataclasses import dataclass
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from fhirgate.keychain_index import KeychainIndex, indexes_under
from fhirgate.private_json_file import JsonObject, PrivateJsonFile
from fhirgate.secret_errors import KeychainMismatch, SecretsUnusable, SecretValueInvalid
from fhirgate.settings import Settings

__all__ = ["FileKeyring", "SecretRule", "SecretStore", "keychain_available"]

_LEGACY_INDEX = "_index"  # where versions before the index file listed a namespace's names
_PROBE = "_probe"


def _secrets_shape(data: JsonObject) -> bool:
    return all(
        isinstance(entries, dict) and all(isinstance(v, str) for v in entries.values()) for entries in data.values()
    )


class FileKeyring(KeyringBackend):
    """A keyring backend storing secrets in one 0600 JSON file (the no-keychain fallback)."""

    priority = 0.1  # keyring declares a classproperty; a class constant is what backends use

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path
        self.file = PrivateJsonFile(path, _secrets_shape, "secrets")

    def get_password(self, service: str, username: str) -> str | None:
        value = self.file.read().get(service, {}).get(username)
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        with self.file.updating() as data:
            data.setdefault(service, {})[username] = password

    def delete_password(self, service: str, username: str) -> None:
        with self.file.updating() as data:
            if data.get(service, {}).pop(username, None) is None:
                raise keyring.errors.PasswordDeleteError(username)  # nothing written back


def keychain_available(backend: KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


@dataclass(frozen=True)
class SecretRule:
    """The form of a secret fhirgate generates, checked when it is read back."""

    pattern: re.Pattern[str]
    form: str
    """What the pattern asks for, in words (for the error)."""
    fix: str


class SecretStore:
    """Named secrets for one fhirgate home, in the keychain or the reported file fallback."""

    def __init__(self, service: str, backend: KeyringBackend, index: KeychainIndex | None = None) -> None:
        self.service = service
        self.backend = backend
        self.index = index

    @classmethod
    def for_settings(cls, settings: Settings) -> SecretStore:
        backend = keyring.get_keyring()
        if not keychain_available(backend):
            backend = FileKeyring(settings.home / "secrets.json")
        return cls(settings.keyring_service, backend, KeychainIndex(settings.home))

    @property
    def description(self) -> str:
        if isinstance(self.backend, FileKeyring):
            mode = self.backend.file.mode()
            shown = f"mode {mode:04o}" if mode is not None else "not created yet"
            return f"file fallback {self.backend.path} ({shown}; no OS keychain found)"
        return f"OS keychain ({type(self.backend).__module__}.{type(self.backend).__name__})"

    def get(self, name: str) -> str | None:
        return self.backend.get_password(self.service, name)

    def get_checked(self, name: str, rule: SecretRule) -> str | None:
        """The secret when it has ``rule``'s form, None when absent; SecretValueInvalid otherwise."""
        value = self.get(name)
        if value is not None and not rule.pattern.fullmatch(value):
            raise SecretValueInvalid(name, f"{len(value)} characters; expected {rule.form}", rule.fix)
        return value

    def set(self, name: str, value: str) -> None:
        """Store ``name``; KeychainMismatch when the backend does not read back what it was given."""
        if self.index is not None:
            self.index.add(self.service, name)
        self.backend.set_password(self.service, name, value)
        if self.get(name) != value:
            raise KeychainMismatch(self.description, name)

    def delete(self, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(self.service, name)
        if self.index is not None:
            self.index.remove(self.service, name)

    def delete_all(self) -> list[str]:
        """Delete every entry this home (and any home nested in it, the demo's) has made, under every
        namespace it has had; returns what was deleted (names; another namespace's as ``service/name``)."""
        entries = {(self.service, name) for name in self._legacy_names()}
        indexes = indexes_under(self.index.home) if self.index is not None else []
        for index in indexes:
            entries.update(index.entries())
        deleted = []
        for service, name in sorted(entries):
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self.backend.delete_password(service, name)
                deleted.append(name if service == self.service else f"{service}/{name}")
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(self.service, _LEGACY_INDEX)
        for index in indexes:
            index.forget()
        return deleted

    def probe(self) -> str | None:
        """Write a random value, read it back and delete it: None when the backend kept it, else what failed."""
        value = random_tokens.token_urlsafe(16)
        try:
            self.backend.set_password(self.service, _PROBE, value)
            kept = self.backend.get_password(self.service, _PROBE) == value
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self.backend.delete_password(self.service, _PROBE)
        except SecretsUnusable as exc:
            return str(exc)
        except Exception as exc:  # any backend failure is the finding
            return f"the secret store failed a write-then-read check ({type(exc).__name__})"
        return None if kept else f"the secret store ({self.description}) did not read back what was written"

    def _legacy_names(self) -> list[str]:
        raw = self.backend.get_password(self.service, _LEGACY_INDEX)
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [str(n) for n in names] if isinstance(names, list) else []
