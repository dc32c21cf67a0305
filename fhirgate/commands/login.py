"""`fhirgate login kaiser`: the browser sign-in, and the interactive login the sync re-uses."""

from __future__ import annotations

import asyncio
import getpass
import logging
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated

import typer

from fhirgate.cli_app import UserFacingError, app, err, run_async, settings_from_env
from fhirgate.home_manifest import record_kaiser_portal
from fhirgate.home_reach import HomeReach
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from gateway.kaiser.session import PortalSession

KAISER_PASSWORD = "kaiser-password"

log = logging.getLogger("fhirgate.login")


@app.command()
def login(
    source: Annotated[str, typer.Argument(help="Which source to sign in to.")] = "kaiser",
    headless: Annotated[bool, typer.Option(help="No browser window; MFA code typed in this terminal.")] = False,
) -> None:
    """Sign in to kp.org in Chromium (password from the keychain, MFA by you)."""
    if source != "kaiser":
        raise UserFacingError(f"unknown source {source!r}; practices connect with `fhirgate connect` (coming soon)")
    settings = settings_from_env()
    if HomeReach.for_settings(settings).is_demo:
        raise UserFacingError(
            f"{settings.home} is a demo home: it signs in to its sandbox only, through `fhirgate mcp --demo` "
            "or `fhirgate demo`; use another FHIRGATE_HOME for your Kaiser account"
        )

    async def work() -> None:
        from gateway.kaiser.session import save_session

        secrets = SecretStore.for_settings(settings)
        session = await interactive_login(settings, secrets, headless=headless)
        save_session(secrets, session)
        record_kaiser_portal(settings.home, settings.kaiser)
        err.print(f"Signed in to Kaiser; session kept in {secrets.description}.")

    run_async(work)


def remove_old_browser_profile(settings: Settings) -> Path | None:
    """Delete the Chromium profile earlier versions kept under the home (it held the portal cookies and
    the OIDC redirect URLs); returns its path when there was one, so the caller says so once."""
    profile = settings.browser_profile_dir
    if not profile.is_dir() or profile.is_symlink():
        return None
    shutil.rmtree(profile)
    log.info("event=old_browser_profile_removed")
    return profile


async def interactive_login(
    settings: Settings,
    secrets: SecretStore,
    *,
    headless: bool,
    mfa_code: Callable[[], Awaitable[str]] | None = None,
) -> PortalSession:
    """Sign in; a headless login asks for the MFA code on the terminal unless ``mfa_code`` supplies it."""
    from gateway.kaiser.browser_memory import KeychainBrowserMemory
    from gateway.kaiser.login import Credentials, LoginOptions, browser_login

    old_profile = remove_old_browser_profile(settings)
    if old_profile is not None:
        err.print(
            f"Removed {old_profile}: earlier versions kept a Chromium profile there with copies of the "
            "portal cookies; the browser now keeps nothing and the device trust lives in the keychain.",
            soft_wrap=True,
        )
    username = settings.kaiser.username or typer.prompt("kp.org username", err=True)
    password = secrets.get(KAISER_PASSWORD)
    if not password:
        password = getpass.getpass("kp.org password (kept in the keychain): ")
        secrets.set(KAISER_PASSWORD, password)

    async def code_from_terminal() -> str:
        return str(await asyncio.to_thread(typer.prompt, "MFA code", err=True))

    return await browser_login(
        settings.kaiser,
        Credentials(username, password),
        LoginOptions(
            memory=KeychainBrowserMemory(secrets),
            browser_path=settings.browser_path,
            headless=headless,
            timeout_seconds=60 if headless else 300,
        ),
        mfa_code=mfa_code or (code_from_terminal if headless else None),
    )


def headless_relogin(
    settings: Settings, secrets: SecretStore, on_session: Callable[[PortalSession], None]
) -> Callable[[], Awaitable[PortalSession]]:
    """The sync's re-login: headless, remembered device trust, password from the keychain, never a prompt."""
    from gateway.kaiser.browser_memory import KeychainBrowserMemory
    from gateway.kaiser.errors import LoginFailed
    from gateway.kaiser.login import Credentials, LoginOptions, silent_relogin

    def credentials() -> Credentials:
        # Chromium is outside the HTTP guard: the home's reach is checked before it may start.
        refused = HomeReach.for_settings(settings).refusal(settings.kaiser.identity_url)
        if refused is not None:
            raise LoginFailed(refused)
        password = secrets.get(KAISER_PASSWORD)
        if not settings.kaiser.username or not password:
            raise LoginFailed("no stored kp.org username/password")
        return Credentials(settings.kaiser.username, password)

    remove_old_browser_profile(settings)
    options = LoginOptions(memory=KeychainBrowserMemory(secrets), browser_path=settings.browser_path)
    return silent_relogin(settings.kaiser, credentials, options, on_session=on_session)
