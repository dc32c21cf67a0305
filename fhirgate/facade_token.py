"""The local bearer token that guards the facade; kept in the keychain, printed by `fhirgate token`."""

from __future__ import annotations

import secrets

from fhirgate.secrets import SecretStore

FACADE_TOKEN_NAME = "facade-token"


def facade_token(store: SecretStore) -> str:
    token = store.get(FACADE_TOKEN_NAME)
    if not token:
        token = secrets.token_urlsafe(32)
        store.set(FACADE_TOKEN_NAME, token)
    return token
