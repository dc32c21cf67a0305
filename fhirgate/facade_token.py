"""The local bearer token that guards the facade; kept in the keychain, printed by `fhirgate token`."""

from __future__ import annotations

import logging
import secrets

from fhirgate.secrets import SecretStore

FACADE_TOKEN_NAME = "facade-token"

logger = logging.getLogger(__name__)


def facade_token(store: SecretStore) -> str:
    """The facade token, created (32 random bytes, URL-safe) on first use."""
    token = store.get(FACADE_TOKEN_NAME)
    if not token:
        token = secrets.token_urlsafe(32)
        store.set(FACADE_TOKEN_NAME, token)
    return token


def rotate_facade_token(store: SecretStore) -> str:
    """Replace the facade token; clients holding the old one get 401 from the next facade start on."""
    token = secrets.token_urlsafe(32)
    store.set(FACADE_TOKEN_NAME, token)
    logger.info("facade token rotated")
    return token
