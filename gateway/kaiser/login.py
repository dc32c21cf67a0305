"""Browser sign-in to kp.org with Playwright driving the system Chromium.

The flow follows KAISER_API.md §1.2: start at ``/sign-on``, let the redirects run, fill the Ping
form, complete any MFA step (typed by the user in a headed window, or supplied by ``mfa_code`` when
headless), and succeed when the browser lands on ``/<region>/Home``. The cookies and user agent are
then handed to the plain HTTP client. Chromium runs without a profile (an off-the-record context);
what it should remember between logins (Ping's device trust, so later logins usually skip MFA) is
kept by a ``BrowserMemory`` (browser_memory.py), never on disk by Chromium.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page, async_playwright

from gateway.kaiser.browser import find_browser, launch_args
from gateway.kaiser.browser_memory import BrowserMemory, lasting_state
from gateway.kaiser.config import KaiserSettings
from gateway.kaiser.errors import LoginFailed
from gateway.kaiser.session import PortalSession

log = logging.getLogger("fhirgate.kaiser.login")

MfaCodeProvider = Callable[[], Awaitable[str]]

USERNAME_INPUT = 'input[name="pf.username"]'
PASSWORD_INPUT = 'input[name="pf.pass"]'
SUBMIT_BUTTON = 'button[name="pf.ok"], input[name="pf.ok"], button[type="submit"]'
MFA_INPUT = 'input[name="otp"]'
MFA_SUBMIT = 'button[name="mfa.ok"], button[type="submit"]'
LOGIN_ERROR = ".kp-login-error, [role=alert]"
MFA_NEEDED = "Kaiser asked for an MFA code (the remembered-device cookie has expired or was cleared)"


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password=<hidden>)"


@dataclass(frozen=True)
class LoginOptions:
    memory: BrowserMemory | None = None
    """Where the device trust is recalled from and kept; None signs in as a new device every time."""
    browser_path: str | None = None
    headless: bool = True
    timeout_seconds: float = 60.0


async def browser_login(
    kaiser: KaiserSettings,
    credentials: Credentials,
    options: LoginOptions,
    *,
    mfa_code: MfaCodeProvider | None = None,
) -> PortalSession:
    """Sign in and return the session; raises LoginFailed with a one-line reason."""
    executable = find_browser(options.browser_path)
    recalled = options.memory.recall() if options.memory is not None else None
    async with async_playwright() as playwright:
        try:
            browser = await playwright.chromium.launch(
                executable_path=executable, headless=options.headless, args=launch_args()
            )
        except PlaywrightError as exc:
            raise LoginFailed(f"could not start the browser {executable}: {_first_line(exc)}") from None
        try:
            # A new context is off the record: cookies, history and cache stay in memory. Playwright
            # types the state as its own TypedDict; ours was shape-checked by ``valid_state``.
            context = await browser.new_context(storage_state=recalled)  # type: ignore[arg-type]
            page = await context.new_page()
            await _drive(page, kaiser, credentials, options, mfa_code)
            state = await context.storage_state()
            user_agent = str(await page.evaluate("navigator.userAgent"))
        except PlaywrightError as exc:
            raise LoginFailed(f"the sign-in page did not behave as expected: {_first_line(exc)}") from None
        finally:
            await browser.close()
    cookies = tuple(dict(cookie) for cookie in state["cookies"])
    if options.memory is not None:
        options.memory.remember(lasting_state(dict(state)))
    log.info("event=login_succeeded cookies=%d", len(cookies))
    return PortalSession(cookies=cookies, user_agent=user_agent)


def silent_relogin(
    kaiser: KaiserSettings,
    credentials: Callable[[], Credentials],
    options: LoginOptions,
    *,
    on_session: Callable[[PortalSession], None] | None = None,
) -> Callable[[], Awaitable[PortalSession]]:
    """The request layer's ``relogin`` hook: a headless login with the remembered device trust, no MFA.

    When Kaiser asks for MFA (device cookie expired) it fails with LoginFailed, which the request
    layer turns into LoginRequired. ``on_session`` persists the fresh session (e.g. to the keychain).
    """
    headless = LoginOptions(
        options.memory, options.browser_path, headless=True, timeout_seconds=options.timeout_seconds
    )

    async def relogin() -> PortalSession:
        session = await browser_login(kaiser, credentials(), headless, mfa_code=None)
        if on_session is not None:
            on_session(session)
        return session

    return relogin


async def _drive(
    page: Page,
    kaiser: KaiserSettings,
    credentials: Credentials,
    options: LoginOptions,
    mfa_code: MfaCodeProvider | None,
) -> None:
    home_prefix = f"/{kaiser.region_prefix}/Home".lower()
    deadline = time.monotonic() + options.timeout_seconds
    await page.goto(f"{kaiser.portal_url}/sign-on")
    credentials_sent = False
    mfa_sent = False
    while time.monotonic() < deadline:
        if urlsplit(page.url).path.lower().startswith(home_prefix):
            return
        error = await _visible_text(page, LOGIN_ERROR)
        if await _is_visible(page, MFA_INPUT):
            # In a headed login the user may retype a wrong code; a supplied code gets one try.
            if error and mfa_sent and mfa_code is not None:
                raise LoginFailed(_error_reason(error, mfa_stage=True))
            if mfa_code is not None and not mfa_sent:
                await page.fill(MFA_INPUT, await mfa_code())
                await page.locator(MFA_SUBMIT).first.click()
                mfa_sent = True
                continue
            if mfa_code is None and options.headless:
                # Nobody can type the code into an invisible window: the device trust is gone.
                raise LoginFailed(MFA_NEEDED)
        elif await _is_visible(page, USERNAME_INPUT):
            if error and credentials_sent:
                raise LoginFailed(_error_reason(error, mfa_stage=False))
            if not credentials_sent:
                await page.fill(USERNAME_INPUT, credentials.username)
                await page.fill(PASSWORD_INPUT, credentials.password)
                await page.locator(SUBMIT_BUTTON).first.click()
                credentials_sent = True
                continue
        elif error and credentials_sent:
            raise LoginFailed(_error_reason(error, mfa_stage=mfa_sent))
        await asyncio.sleep(0.2)
    raise LoginFailed(f"sign-in did not complete within {options.timeout_seconds:.0f} s")


async def _is_visible(page: Page, selector: str) -> bool:
    locator = page.locator(selector)
    try:
        return bool(await locator.count()) and await locator.first.is_visible()
    except PlaywrightError:  # the page navigated away while we looked
        return False


async def _visible_text(page: Page, selector: str) -> str:
    if not await _is_visible(page, selector):
        return ""
    try:
        return " ".join((await page.locator(selector).first.inner_text(timeout=2000)).split())
    except PlaywrightError:
        return ""


def _error_reason(message: str, mfa_stage: bool) -> str:
    stage = "the MFA code was not accepted" if mfa_stage else "username or password was not accepted"
    return f"Kaiser sign-in failed: {stage} ({message[:160]})"


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
