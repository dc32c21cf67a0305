"""`SourceSecrets`: the keychain entries of one SMART source, behind a minimal keyring protocol.

`fhirgate.secrets.SecretStore` satisfies `SecretBackend`; tests may pass any object with the
three methods. The access and refresh tokens are one entry, so a rotation is one atomic write.
"""

from __future__ import annotations

import json
from typing import Protocol

__all__ = ["SecretBackend", "SourceSecrets", "private_key_name"]


class SecretBackend(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...


def private_key_name(key_id: str) -> str:
    """Keychain name of the app's private JWK with `kid` = `key_id` (shared by every source)."""
    return f"smart-key:{key_id}"


class SourceSecrets:
    """The secrets of source `name`: tokens, client secret and a pending launch's PKCE verifier."""

    def __init__(self, backend: SecretBackend, name: str) -> None:
        self._backend = backend
        self._prefix = f"smart:{name}:"

    def tokens(self) -> tuple[str | None, str | None]:
        raw = self._backend.get(self._prefix + "tokens")
        if not raw:
            return None, None
        data = json.loads(raw)
        return data.get("access_token"), data.get("refresh_token")

    def set_tokens(self, access_token: str, refresh_token: str | None) -> None:
        self._backend.set(
            self._prefix + "tokens", json.dumps({"access_token": access_token, "refresh_token": refresh_token})
        )

    def client_secret(self) -> str | None:
        return self._backend.get(self._prefix + "client_secret")

    def set_client_secret(self, secret: str) -> None:
        self._backend.set(self._prefix + "client_secret", secret)

    def code_verifier(self) -> str | None:
        return self._backend.get(self._prefix + "code_verifier")

    def set_code_verifier(self, verifier: str) -> None:
        self._backend.set(self._prefix + "code_verifier", verifier)

    def private_jwk(self, key_id: str | None) -> str | None:
        return self._backend.get(private_key_name(key_id)) if key_id else None

    def clear(self) -> None:
        for entry in ("tokens", "client_secret", "code_verifier"):
            self._backend.delete(self._prefix + entry)

    def clear_launch(self) -> None:
        self._backend.delete(self._prefix + "code_verifier")
