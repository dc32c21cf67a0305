"""What can go wrong talking to kp.org, as one exception tree.

    KaiserError
    ├── LoginFailed            the browser sign-in did not reach the portal (credentials, MFA, timeout)
    ├── SessionExpired         the portal says the session is dead (302 to identity or sign-in, 401/403, HTML for JSON)
    │   └── LoginRequired      ... and one silent re-login did not bring it back: the user must sign in
    ├── PortalContractError    the portal rejected how we asked (302 to FiveHundred, 502 on /mycare)
    │   ├── ContractBounce     302 to FiveHundred: a stale/missing anti-forgery token or page nonce, or a bad call
    │   └── PortalRejected     a 200 whose body says failure ({"error": N}, executionContext.statusCode != "000")
    ├── PortalUnavailable      429/5xx/network trouble that outlasted our retries
    └── MalformedPayload       a 200 whose body is not the JSON we expected, or holds a value that cannot be
                               sent back in a request (key ``request``: too long for a URL, control characters)

Messages name the surface and what to do; they never carry cookies, tokens or bodies.
"""

from __future__ import annotations


class KaiserError(Exception):
    """Base of every failure on the Kaiser side."""


class LoginFailed(KaiserError):
    pass


class SessionExpired(KaiserError):
    pass


class LoginRequired(SessionExpired):
    """Only the user can fix this: sign in again (interactively, MFA included)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the Kaiser session has ended ({reason}); run `fhirgate login kaiser`, then try again")
        self.reason = reason


class PortalContractError(KaiserError):
    pass


class ContractBounce(PortalContractError):
    """The portal bounced the call to FiveHundred (before running it): the request layer retries once with a
    fresh anti-forgery token and page nonce, since their lifetime is unknown."""


class PortalRejected(PortalContractError):
    """HTTP 200 carrying a failure code; ``code`` is the portal's own (``{"error": N}`` or ``statusCode``)."""

    def __init__(self, surface: str, code: str) -> None:
        super().__init__(f"surface={surface}: the portal answered with failure code {code}")
        self.surface = surface
        self.code = code


class PortalUnavailable(KaiserError):
    pass


class MalformedPayload(KaiserError):
    def __init__(self, surface: str, key: str, reason: str) -> None:
        super().__init__(f"surface={surface} key={key}: {reason}")
        self.surface = surface
        self.key = key
        self.reason = reason
