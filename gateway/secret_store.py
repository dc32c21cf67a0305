"""What gateway code needs from a secret store: get, set and delete a named secret.

``fhirgate.secrets.SecretStore`` (the OS keychain or the private file) satisfies it structurally;
``fhirgate/`` passes its store in, so nothing under ``gateway/`` imports ``fhirgate``.
"""

from __future__ import annotations

from typing import Protocol


class SecretStorage(Protocol):
    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...

    def delete(self, name: str) -> None: ...
