"""Finding the system Chromium/Chrome for Playwright: we never download a browser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from gateway.kaiser.errors import LoginFailed

_CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)

# Without these, Chromium phones home at start-up; on a closed network that is noise and delay.
CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-gpu",
)


def find_browser(configured: str | None = None) -> str:
    """The browser executable: ``FHIRGATE_BROWSER`` when set, else the first system Chromium/Chrome."""
    if configured:
        if Path(configured).is_file():
            return configured
        raise LoginFailed(f"FHIRGATE_BROWSER={configured} does not exist")
    for candidate in _CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    raise LoginFailed(
        "no Chromium found: install it (Debian/Ubuntu: sudo apt-get install chromium) or set FHIRGATE_BROWSER"
    )


def launch_args() -> list[str]:
    args = list(CHROMIUM_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to run its sandbox as root
    return args
