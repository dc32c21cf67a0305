"""What can go wrong talking to kp.org, as one exception tree.

    KaiserError
    ├── LoginFailed            the browser sign-in did not reach the portal (credentials, MFA, timeout)
    ├── SessionExpired         the portal says the session is dead (302 to identity, 401, HTML for JSON)
    ├── PortalContractError    the portal rejected how we asked (302 to FiveHundred, 502 on /mycare)
    ├── PortalUnavailable      429/5xx/network trouble that outlasted our retries
    └── MalformedPayload       a 200 whose body is not the JSON we expected

Messages name the surface and what to do; they never carry cookies, tokens or bodies.
"""

from __future__ import annotations


class KaiserError(Exception):
    """Base of every failure on the Kaiser side."""


class LoginFailed(KaiserError):
    pass


class SessionExpired(KaiserError):
    pass


class PortalContractError(KaiserError):
    pass


class PortalUnavailable(KaiserError):
    pass


class MalformedPayload(KaiserError):
    def __init__(self, surface: str, key: str, reason: str) -> None:
        super().__init__(f"surface={surface} key={key}: {reason}")
        self.surface = surface
        self.key = key
        self.reason = reason
