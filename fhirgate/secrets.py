"""Secrets (passwords, tokens, cookies) live in the OS keychain via keyring.

Headless Linux often has no keychain: keyring then reports its ``fail`` backend. In that case, and
only then, secrets go to a JSON file under FHIRGATE_HOME with mode 0600 (the reported fallback of
DESIGN.md); ``fhirgate status`` names the backend in use. Secrets never go to the config or store.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

from fhirgate.settings import Settings, ensure_private_dir

_INDEX = "_index"  # a list of the names stored, so `fhirgate wipe` can remove them all


class FileKeyring(KeyringBackend):
    """A keyring backend storing secrets in one 0600 JSON file (the no-keychain fallback)."""

    priority = 0.1  # keyring declares a classproperty; a class constant is what backends use

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        ensure_private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.get(service, {}).pop(username, None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._save(data)


def keychain_available(backend: KeyringBackend) -> bool:
    if isinstance(backend, fail.Keyring):
        return False
    return not (isinstance(backend, chainer.ChainerBackend) and not backend.backends)


class SecretStore:
    """Named secrets for one fhirgate home, in the keychain or the reported file fallback."""

    def __init__(self, service: str, backend: KeyringBackend) -> None:
        self.service = service
        self.backend = backend

    @classmethod
    def for_settings(cls, settings: Settings) -> SecretStore:
        backend = keyring.get_keyring()
        if not keychain_available(backend):
            backend = FileKeyring(settings.home / "secrets.json")
        return cls(settings.keyring_service, backend)

    @property
    def description(self) -> str:
        if isinstance(self.backend, FileKeyring):
            return f"file fallback {self.backend.path} (mode 0600; no OS keychain found)"
        return f"OS keychain ({type(self.backend).__module__}.{type(self.backend).__name__})"

    def get(self, name: str) -> str | None:
        return self.backend.get_password(self.service, name)

    def set(self, name: str, value: str) -> None:
        self.backend.set_password(self.service, name, value)
        names = self.names()
        if name not in names:
            self._write_index([*names, name])

    def delete(self, name: str) -> None:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(self.service, name)
        names = self.names()
        if name in names:
            self._write_index([n for n in names if n != name])

    def names(self) -> list[str]:
        """Names of the secrets this home has stored (keychains cannot be listed, so we keep an index)."""
        raw = self.backend.get_password(self.service, _INDEX)
        try:
            names = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [str(n) for n in names] if isinstance(names, list) else []

    def delete_all(self) -> list[str]:
        """Delete every secret of this home; returns the names deleted."""
        names = self.names()
        for name in names:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self.backend.delete_password(self.service, name)
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(self.service, _INDEX)
        return names

    def _write_index(self, names: list[str]) -> None:
        if names:
            self.backend.set_password(self.service, _INDEX, json.dumps(sorted(names)))
        else:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self.backend.delete_password(self.service, _INDEX)
