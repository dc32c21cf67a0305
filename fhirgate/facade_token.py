"""The local bearer token that guards the facade; kept in the keychain, printed by `fhirgate token`."""

from __future__ import annotations

import logging
import re
import secrets

from fhirgate.secrets import SecretRule, SecretStore

FACADE_TOKEN_NAME = "facade-token"
FACADE_TOKEN_RULE = SecretRule(
    re.compile(r"[A-Za-z0-9_-]{32,512}"),
    "32 to 512 URL-safe characters",
    "run `fhirgate token --rotate` to make a new one, and `fhirgate doctor`",
)
"""What the keychain must give back: we make 43 URL-safe characters (32 random bytes), so a short or
odd value (a keychain answering ``"a"`` would make ``Bearer a`` valid) is refused, not served."""

logger = logging.getLogger(__name__)


def facade_token(store: SecretStore) -> str:
    """The facade token, created (32 random bytes, URL-safe) on first use."""
    token = store.get_checked(FACADE_TOKEN_NAME, FACADE_TOKEN_RULE)
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
