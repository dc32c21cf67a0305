"""The sandbox patient at the keyboard: headless Chromium signs in on the EHR's login page and
allows access on its consent page, as a person would (used by the demo and the e2e tests)."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

from playwright.async_api import async_playwright

from gateway.kaiser.browser import find_browser, launch_args

__all__ = ["consent_in_chromium"]

logger = logging.getLogger(__name__)


async def consent_in_chromium(
    authorize_url: str,
    *,
    username: str,
    password: str,
    browser_path: str | None = None,
    timeout_ms: float = 20_000,
) -> str:
    """Open `authorize_url`, sign in, allow every scope; returns the URL the browser was sent back to
    (the app's `redirect_uri`, named in the authorize URL, with the code and state)."""
    redirect_uri = parse_qs(urlsplit(authorize_url).query).get("redirect_uri", [""])[0]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_browser(browser_path), headless=True, args=launch_args()
        )
        try:
            page = await browser.new_page()
            page.set_default_timeout(timeout_ms)
            await page.goto(authorize_url)
            await page.fill("#username", username)
            await page.fill("#password", password)
            await page.click("#sign-in")
            await page.wait_for_selector("#allow")
            await page.click("#allow")
            await page.wait_for_url(lambda url: url.startswith(redirect_uri + "?"))
            logger.info("sandbox ehr consent given in chromium")
            return page.url
        finally:
            await browser.close()
