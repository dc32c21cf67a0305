"""Building the guarded write operations for a fhirgate home: the confirmation key (in the keychain),
the audit log, the used-token list and a portal client from the stored Kaiser session."""

from __future__ import annotations

import re
import secrets as token_bytes
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fhirgate.home_reach import HomeReach
from fhirgate.secrets import SecretRule, SecretStore
from fhirgate.settings import Settings, ensure_private_dir
from gateway.kaiser.errors import LoginRequired
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import load_session
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.operations import WriteOperations

CONFIRMATION_KEY = "write-confirmation-key"
CONFIRMATION_KEY_RULE = SecretRule(
    re.compile(r"[0-9a-f]{64}"), "64 hex digits (32 bytes)", "run `fhirgate doctor`; `fhirgate wipe` makes a new one"
)


def confirmation_key(secrets: SecretStore) -> bytes:
    key = secrets.get_checked(CONFIRMATION_KEY, CONFIRMATION_KEY_RULE)
    if not key:
        key = token_bytes.token_hex(32)
        secrets.set(CONFIRMATION_KEY, key)
    return bytes.fromhex(key)


def home_audit_log(settings: Settings) -> AuditLog:
    """The home's audit log of writes, in the home's private directory."""
    return AuditLog(settings.audit_log_path, make_directory=ensure_private_dir)


def write_operations(settings: Settings, secrets: SecretStore, *, offline: bool = False) -> WriteOperations:
    """Previews and commits reach the portal only when the home may (not ``offline``, a demo's sandbox
    running) and has signed in; otherwise they fail before any request."""

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        reach = HomeReach.for_settings(settings, offline=offline)
        reach.check(settings.kaiser.portal_url)
        session = load_session(secrets)
        if session is None:
            raise LoginRequired("not signed in to Kaiser")
        async with PortalClient(settings.kaiser, session, transport=reach.transport()) as client:
            yield client

    guard = ConfirmationGuard(confirmation_key(secrets), settings.home / "confirmations-used")
    return WriteOperations(clients, guard, home_audit_log(settings))
