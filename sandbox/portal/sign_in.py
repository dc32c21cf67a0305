"""Signing in to the sandbox portal through its own forms, as a browser would, for the suites that need a session
without driving Chromium (the conformance suite, the sync and Kaiser-client tests).

The walk: the sign-in page, username and password, then (when the portal asks) the code it texted to the
patient's phone, ending on the portal home page. What comes back is the session's cookies, in the shape a
browser sign-in hands over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import httpx2

from sandbox.patient import SyntheticPatient
from sandbox.sms import SmsOutbox

__all__ = ["SandboxPhone", "SignInRefused", "sign_in_cookies"]

SIGN_IN_PATH = "/sign-on"
HOME_PATH = "/mychartcn/Home"
_MFA_MARK = "/resume/as/mfa"
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
_CODE_TIMEOUT_SECONDS = 15.0


class SignInRefused(Exception):
    """The sandbox's sign-in forms did not lead to the portal home page."""


@dataclass
class SandboxPhone:
    """The patient's phone from the moment it is picked up: the first code texted after that."""

    outbox: SmsOutbox
    _seen: int = field(init=False)

    def __post_init__(self) -> None:
        self._seen = len(self.outbox)

    async def code(self, *, timeout: float = _CODE_TIMEOUT_SECONDS) -> str:  # noqa: ASYNC109 (waits on another thread)
        """The first code texted since the phone was picked up (``TimeoutError`` if none comes in time)."""
        return await self.outbox.wait_for_code(newer_than=self._seen, timeout=timeout)


async def sign_in_cookies(
    base_url: str,
    patient: SyntheticPatient,
    outbox: SmsOutbox,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> tuple[dict[str, str], ...]:
    """Sign ``patient`` in to the sandbox portal at ``base_url`` (in-process when ``transport`` is given)
    and return the signed-in session's cookies (name, value, domain, path)."""
    async with httpx2.AsyncClient(transport=transport, base_url=base_url, follow_redirects=True) as http:
        page = await http.get(SIGN_IN_PATH)
        phone = SandboxPhone(outbox)
        credentials = {"pf.username": patient.username, "pf.pass": patient.password, "pf.ok": "clicked"}
        page = await http.post(_form_action(page.text), data=credentials)
        if _MFA_MARK in page.text:
            code = await phone.code()
            page = await http.post(_form_action(page.text), data={"otp": code, "mfa.ok": "clicked"})
        if page.url.path != HOME_PATH:
            raise SignInRefused("the sandbox sign-in did not reach the portal home page")
        return tuple(
            {"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path} for c in http.cookies.jar
        )


def _form_action(html: str) -> str:
    match = _FORM_ACTION.search(html)
    if match is None:
        raise SignInRefused("no sign-in form on the sandbox page")
    return match.group(1)
