"""What the sign-in browser remembers between logins (Ping's device trust), kept by fhirgate, never by Chromium.

Chromium signs in inside an off-the-record context: no profile, so no cookie, history entry or cache of
the OIDC ``code=`` URL reaches the disk. After a sign-in, what a profile would have kept across a
browser restart — the persistent cookies (Ping's remember-this-device cookie among them) and the
pages' local storage — is handed to a ``BrowserMemory`` (the keychain, in fhirgate) and given back to
the next sign-in, so later logins still skip MFA. Session cookies are never kept here: they die with
the browser, as in a real one, and the portal session itself is the HTTP client's, stored apart.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

BROWSER_STATE_SECRET_NAME = "kaiser-browser-state"

BrowserState = dict[str, Any]
"""Playwright's storage state: ``{"cookies": [...], "origins": [...]}``."""


class BrowserMemory(Protocol):
    def recall(self) -> BrowserState | None: ...

    def remember(self, state: BrowserState) -> None: ...


class SecretKeeper(Protocol):
    """The part of a secret store the memory needs (``fhirgate.secrets.SecretStore`` has it)."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...


class KeychainBrowserMemory:
    """The browser state as one keychain entry."""

    def __init__(self, secrets: SecretKeeper) -> None:
        self._secrets = secrets

    def recall(self) -> BrowserState | None:
        raw = self._secrets.get(BROWSER_STATE_SECRET_NAME)
        if not raw:
            return None
        try:
            return valid_state(json.loads(raw))
        except ValueError:
            return None  # unreadable: sign in as a new device (MFA) rather than fail

    def remember(self, state: BrowserState) -> None:
        self._secrets.set(BROWSER_STATE_SECRET_NAME, json.dumps(state))


def lasting_state(state: BrowserState, now: float | None = None) -> BrowserState:
    """What a browser keeps across a restart: unexpired persistent cookies (session cookies have
    ``expires`` -1) and local storage."""
    moment = time.time() if now is None else now
    cookies = [
        c for c in state.get("cookies", []) if isinstance(c.get("expires"), int | float) and c["expires"] > moment
    ]
    return {"cookies": cookies, "origins": list(state.get("origins", []))}


def valid_state(data: object) -> BrowserState | None:
    """``data`` when it has the storage-state shape Playwright accepts, else None."""
    if not isinstance(data, dict):
        return None
    cookies, origins = data.get("cookies", []), data.get("origins", [])
    if not isinstance(cookies, list) or not isinstance(origins, list):
        return None
    required = ("name", "value", "domain", "path")
    if not all(isinstance(c, dict) and all(isinstance(c.get(k), str) for k in required) for c in cookies):
        return None
    if not all(isinstance(o, dict) and isinstance(o.get("origin"), str) for o in origins):
        return None
    return {"cookies": cookies, "origins": origins}
