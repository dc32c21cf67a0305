"""The portal's HTML: Ping-like sign-in and MFA forms, Epic pages, fragments and error pages.

Plain server-rendered forms with no JavaScript, so a headless browser or a raw HTTP client can drive
them. Every interpolated value is escaped.
"""

from __future__ import annotations

from html import escape

__all__ = [
    "csrf_fragment",
    "dashboard_page",
    "five_hundred_page",
    "keepalive_page",
    "lab_results_page",
    "mfa_page",
    "sign_in_dead_page",
    "sign_in_page",
]


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


def _alert(message: str | None) -> str:
    if not message:
        return ""
    return f'<div class="kp-login-error" role="alert">{escape(message)}</div>\n'


def sign_in_page(action: str, *, error: str | None = None, username: str = "") -> str:
    """The credential form (step 3 of the §1.2 chain)."""
    return _page(
        "Sign in | Kaiser Permanente (sandbox)",
        f"<h1>Sign in</h1>\n{_alert(error)}"
        f'<form method="post" action="{escape(action)}" id="kp-sign-in">\n'
        '<input type="hidden" name="pf.adapterId" value="KpOrgHTMLFormAdapter">\n'
        f'<label>User ID <input type="text" name="pf.username" value="{escape(username)}" '
        'autocomplete="username"></label>\n'
        '<label>Password <input type="password" name="pf.pass" autocomplete="current-password"></label>\n'
        '<label><input type="checkbox" name="pf.rememberUsername" value="on"> Remember my user ID</label>\n'
        '<button type="submit" name="pf.ok" value="clicked">Sign in</button>\n</form>',
    )


def mfa_page(action: str, phone_last4: str, *, error: str | None = None) -> str:
    """The one-time-code step (shape inferred: the real MFA pages were never captured, §4.1)."""
    return _page(
        "Verify it's you | Kaiser Permanente (sandbox)",
        f"<h1>Verify it's you</h1>\n{_alert(error)}"
        f"<p>We texted a 6-digit code to your phone ending in {escape(phone_last4)}.</p>\n"
        f'<form method="post" action="{escape(action)}" id="kp-mfa">\n'
        '<label>Code <input type="text" name="otp" inputmode="numeric" autocomplete="one-time-code" '
        'maxlength="6"></label>\n'
        '<button type="submit" name="mfa.ok" value="clicked">Verify</button>\n</form>',
    )


def sign_in_dead_page(message: str) -> str:
    """A finished or broken sign-in attempt: the user must start again at ``/sign-on``."""
    return _page(
        "Sign-in problem | Kaiser Permanente (sandbox)",
        f'<h1>We couldn\'t sign you in</h1>\n{_alert(message)}<p><a href="/sign-on">Start over</a></p>',
    )


def dashboard_page(display_name: str) -> str:
    """The logged-in MyChart home page (the success marker)."""
    return _page(
        "Home | Kaiser Permanente (sandbox)",
        f'<main id="dashboard"><h1>Welcome, {escape(display_name)}</h1>\n'
        '<ul><li><a href="/mychartcn/app/test-results">Test results</a></li></ul></main>',
    )


def lab_results_page(nonce: str) -> str:
    """The test-results SPA shell; its script nonce is the ``PageNonce`` GetDetails wants."""
    return _page(
        "Test Results | Kaiser Permanente (sandbox)",
        '<div id="react-root"></div>\n'
        f'<script nonce="{escape(nonce)}">window.__pageConfig = {{"page": "test-results"}};</script>',
    )


def five_hundred_page() -> str:
    """Epic's generic error page, where anti-forgery and contract failures are bounced to."""
    return _page(
        "Error | Kaiser Permanente (sandbox)",
        "<h1>Sorry, something went wrong.</h1>\n<p>Please try again later.</p>",
    )


def keepalive_page() -> str:
    """The tiny body of a live ``keepalive.asp`` (content irrelevant)."""
    return "<html><body>1</body></html>"


def csrf_fragment(token: str) -> str:
    """The ``Home/CSRFToken`` HTML fragment."""
    return f'<input name="__RequestVerificationToken" type="hidden" value="{escape(token)}" />'
