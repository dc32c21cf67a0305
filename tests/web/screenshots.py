"""``make screenshots``: the sandbox patient synced into a scratch home, the web app served on loopback, and
a full-page PNG of each record page written to ``screenshots/`` (git-ignored) by headless Chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from gateway.kaiser.browser import find_browser, launch_args
from tests.web.record_site import record_site, synced_store
from tests.web.test_record_pages_browser import PAGES

OUT = Path(__file__).resolve().parents[2] / "screenshots"


def main(out: Path = OUT) -> None:
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        store = synced_store(home)
        try:
            with record_site(home, store) as site, sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=find_browser(None), headless=True, args=launch_args()
                )
                page = browser.new_page(viewport={"width": 1100, "height": 900})
                page.goto(site.login_url())
                for path in PAGES:
                    page.goto(site.base_url + path)
                    name = path.strip("/").replace("/", "-") or "overview"
                    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                    sys.stderr.write(f"{out / name}.png\n")
                browser.close()
        finally:
            store.close()


if __name__ == "__main__":
    main()
