"""The record kept fresh, in real headless Chromium: the connected practice on the Overview and in the labs
(read live through its SMART connection, units reconciled with Kaiser's); a scheduled sync (the
`serve --sync-every` runner, every few seconds here) brings a result the sandbox portal lists only now, and
the pages show it as new; "Sync now", reached and pressed from the keyboard, shows each surface's progress
until every one is done. axe-core finds nothing serious or critical on these pages, and nothing is
requested from anywhere but 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from fhirgate.watch_state import read_watch_state
from gateway.kaiser.browser import find_browser, launch_args
from tests.mcp_server.sandbox_home import file_keyring
from tests.web.live_site import PRACTICE, LiveSite, live_site
from tests.web.record_site import AXE

pytestmark = pytest.mark.browser

SYNC_EVERY = timedelta(seconds=2)


@pytest.fixture(autouse=True)
def practice_keyring(memory_keyring: object) -> Iterator[None]:
    """The home's secrets in its file fallback for every test (the test-wide in-memory keyring is per test,
    and the practice's tokens were saved to the file when the module's home connected it)."""
    with file_keyring():
        yield


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    with live_site(tmp_path_factory.mktemp("live-pages")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=find_browser(None), headless=True, args=launch_args())
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def requested() -> list[str]:
    return []


@pytest.fixture(scope="module")
def page(site: LiveSite, browser: Browser, requested: list[str]) -> Iterator[Page]:
    context = browser.new_context()

    def only_loopback(route: Route) -> None:
        requested.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)
    signed_in = context.new_page()
    errors: list[str] = []
    signed_in.on("pageerror", lambda error: errors.append(str(error)))
    signed_in.goto(site.login_url())
    yield signed_in
    context.close()
    assert errors == []


def test_the_overview_shows_the_connected_practice_and_its_token(site: LiveSite, page: Page) -> None:
    page.goto(f"{site.base_url}/overview")
    practices = page.locator("table.practices")
    assert PRACTICE in practices.inner_text() and "connected" in practices.inner_text()
    assert "expires 20" in practices.inner_text()


def test_labs_show_the_practices_results_beside_kaisers(site: LiveSite, page: Page) -> None:
    for number in range(1, 20):
        page.goto(f"{site.base_url}/labs?page={number}")
        glucose = page.locator("section#analyte-2345-7")
        if glucose.count():
            break
    text = glucose.inner_text()
    assert "From Kaiser and dr-sample, charted in mg/dL." in text
    assert "104 mg/dL" in text and "dr-sample (read live)" in text
    assert glucose.locator("svg[role=img]").count() == 1


def test_a_scheduled_sync_brings_a_new_result_and_the_pages_show_it_as_new(site: LiveSite, page: Page) -> None:
    page.goto(f"{site.base_url}/overview")
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as seen").click()
    assert page.locator("ul.news strong").first.inner_text() == "0"
    site.release_the_held_result()
    with site.scheduled_sync(SYNC_EVERY) as runner:
        deadline = time.monotonic() + 90
        while not runner.notices and time.monotonic() < deadline:
            time.sleep(0.3)
    assert runner.notices and "1 new results" in runner.notices[0], runner.notices
    state = read_watch_state(site.home)
    assert state is not None and state.state == "ok"
    page.goto(f"{site.base_url}/overview")
    news = page.locator("ul.news a", has_text="new results")
    assert news.locator("strong").inner_text() == "1"
    news.click()
    page.wait_for_url("**/labs")
    assert page.locator("tr.new .new-mark", has_text="New").count() >= 1


def test_sync_now_from_the_keyboard_shows_each_surface_until_done(site: LiveSite, page: Page) -> None:
    page.goto(f"{site.base_url}/overview")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText") == "Sync now":
            break
    else:
        pytest.fail("Tab never reached the Sync now button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{site.base_url}/sync"
    assert page.locator("table.sync-progress tbody tr").count() >= 10  # every surface synced before is listed
    page.wait_for_selector("text=Sync done", timeout=90_000)  # the page refreshes itself until then
    states = page.locator("table.sync-progress tbody tr td:nth-child(2)").all_inner_texts()
    assert states and all(state.startswith("Done: ") for state in states), states
    assert page.locator("meta[http-equiv=refresh]").count() == 0  # done: no more refreshing
    assert page.get_by_role("button", name="Sync again").count() == 1


def test_axe_finds_no_serious_or_critical_violation_on_the_live_pages(
    site: LiveSite, browser: Browser, requested: list[str]
) -> None:
    assert AXE.exists(), "axe-core is missing: run `make node` (npm ci in tests/web/axe)"
    context = browser.new_context(bypass_csp=True)  # only so axe can be injected
    axe_page = context.new_page()
    axe_page.goto(site.login_url())
    found = {}
    for path in ("/overview", "/sync", "/labs", "/record/problems", "/timeline?type=visit"):
        axe_page.goto(site.base_url + path)
        axe_page.add_script_tag(path=str(AXE))
        checked = axe_page.evaluate(
            "async () => { const r = await axe.run(document); return {passes: r.passes.length, serious: r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)}; }"
        )
        assert checked["passes"] > 10, path
        if checked["serious"]:
            found[path] = checked["serious"]
    context.close()
    assert found == {}
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in requested), requested
