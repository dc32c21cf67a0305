"""Server-side memory of the Ping-like sign-in: issued states, attempts, auth codes, trusted devices.

The kp.org side (the OAuth client) issues ``state`` values; each visit to the authorization endpoint
opens a ``LoginAttempt`` under a random path segment (``<SESSION_SEG>``); a finished attempt yields a
one-time authorization code that ``/pa/oidc/cb`` redeems together with its state.
"""

from __future__ import annotations

import enum
import logging
import secrets
import string
from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["MAX_MFA_FAILURES", "AttemptStage", "LoginAttempt", "MfaOutcome", "SignInLedger"]

logger = logging.getLogger("fhirgate.sandbox.portal")

MAX_MFA_FAILURES = 3
_REMEMBERED = 512
_SEGMENT_ALPHABET = string.ascii_letters + string.digits

K = TypeVar("K")
V = TypeVar("V")


class AttemptStage(enum.Enum):
    CREDENTIALS = "credentials"
    MFA = "mfa"
    DONE = "done"
    DEAD = "dead"


class MfaOutcome(enum.Enum):
    PASSED = "passed"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass
class LoginAttempt:
    segment: str
    state: str
    stage: AttemptStage = AttemptStage.CREDENTIALS
    username: str | None = None
    mfa_code: str | None = None
    mfa_failures: int = 0


@dataclass(frozen=True)
class _Grant:
    state: str
    username: str


def _remember(store: OrderedDict[K, V], key: K, value: V) -> None:
    store[key] = value
    while len(store) > _REMEMBERED:
        store.popitem(last=False)


class SignInLedger:
    """Bounded in-memory records; oldest entries are forgotten first."""

    def __init__(self) -> None:
        self._states: OrderedDict[str, None] = OrderedDict()
        self._attempts: OrderedDict[str, LoginAttempt] = OrderedDict()
        self._grants: OrderedDict[str, _Grant] = OrderedDict()
        self._trusted_devices: OrderedDict[str, str] = OrderedDict()

    def issue_state(self) -> str:
        """An opaque ``state`` for a new authorization request (the real one is an encrypted JWE)."""
        state = secrets.token_urlsafe(96)
        _remember(self._states, state, None)
        return state

    def issue_nonce(self) -> str:
        """An OIDC ``nonce`` (not checked anywhere: the code exchange is server-side at Kaiser)."""
        return secrets.token_urlsafe(24)

    def start_attempt(self, state: str) -> LoginAttempt:
        segment = "".join(secrets.choice(_SEGMENT_ALPHABET) for _ in range(8 + secrets.randbelow(5)))
        attempt = LoginAttempt(segment=segment, state=state)
        _remember(self._attempts, segment, attempt)
        return attempt

    def attempt(self, segment: str) -> LoginAttempt | None:
        return self._attempts.get(segment)

    def start_mfa(self, attempt: LoginAttempt, username: str) -> str:
        """Move to the MFA step with a fresh 6-digit code; returns the code to text."""
        attempt.stage = AttemptStage.MFA
        attempt.username = username
        attempt.mfa_code = f"{secrets.randbelow(1_000_000):06d}"
        return attempt.mfa_code

    def check_mfa(self, attempt: LoginAttempt, otp: str) -> MfaOutcome:
        """Compare a typed code; the third wrong one kills the attempt."""
        expected = attempt.mfa_code or ""
        if expected and secrets.compare_digest(expected.encode(), otp.strip().encode()):
            return MfaOutcome.PASSED
        attempt.mfa_failures += 1
        if attempt.mfa_failures < MAX_MFA_FAILURES:
            return MfaOutcome.WRONG
        attempt.stage = AttemptStage.DEAD
        attempt.mfa_code = None
        logger.info("sign-in attempt locked after %d wrong codes", attempt.mfa_failures)
        return MfaOutcome.LOCKED

    def grant(self, attempt: LoginAttempt, username: str) -> str:
        """Finish the attempt; returns the one-time authorization code."""
        attempt.stage = AttemptStage.DONE
        attempt.username = username
        attempt.mfa_code = None
        code = secrets.token_urlsafe(24)
        _remember(self._grants, code, _Grant(state=attempt.state, username=username))
        return code

    def redeem(self, code: str, state: str) -> str | None:
        """The username for a valid code+state pair (each code works once), else None."""
        grant = self._grants.pop(code, None)
        if grant is None or grant.state != state or state not in self._states:
            return None
        del self._states[state]
        return grant.username

    def trust_device(self, username: str) -> str:
        """A ``PF.PERSISTENT`` value bound to ``username``."""
        token = secrets.token_urlsafe(32)
        _remember(self._trusted_devices, token, username)
        return token

    def device_trusted(self, token: str | None, username: str) -> bool:
        return token is not None and self._trusted_devices.get(token) == username
