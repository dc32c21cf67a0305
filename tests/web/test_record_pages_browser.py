"""The record's pages in real headless Chromium over the sandbox patient (seed 5, every surface synced):
each page shows the patient's facts with their origin, charts and the PDF are there, nothing is requested
from anywhere but 127.0.0.1, the console stays clean, axe-core finds nothing serious, and Tab reaches
every link and control."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, sync_playwright

from gateway.kaiser.browser import find_browser, launch_args
from gateway.store import SqliteStore
from tests.web.record_site import AXE, RecordSite, record_site, synced_store

pytestmark = pytest.mark.browser

NAV = (
    "Overview", "Timeline", "Labs", "Medications", "Problems", "Allergies", "Immunizations", "Care team",
    "Implants", "Upcoming orders", "Appointments", "Visits and notes", "Messages", "Documents", "Approvals",
)  # fmt: skip
PAGES = {
    "/overview": ("test-results", "Up to date", "new results", "Lab results"),
    "/timeline": ("Timeline", "Result", "Message", "Visit", "Kaiser (messages)"),
    "/labs": ("Glucose", "mg/dL", "70-99"),
    "/record/medications": ("Sertraline 50 MG Tab Samplegen", "Take 1 tablet by mouth daily", "JORDAN PLACEHOLDER DO"),
    "/record/problems": ("Migraine without aura", "Active"),
    "/record/allergies": ("Shellfish Derived", "Diarrhea (moderate)"),
    "/record/immunizations": ("No immunizations are on record.",),
    "/record/care-team": ("LEE TESTWELL MD", "Primary Care Provider", "Cardiologist"),
    "/record/implants": ("ACM-4471 SAMPLE PACER 1000", "ACME CARDIAC", "SN-250523"),
    "/record/orders": ("LIPID PANEL", "Fast for 12 hours before your test.", "ALEX SAMPLE MD"),
    "/record/appointments": ("Video Visit", "JORDAN EXAMPLE MD", "Bayview Family Medicine"),
    "/visits": ("Office Visit", "RILEY PLACEHOLDER NP", "After Visit Summary"),
    "/messages": ("Physical therapy exercises",),
    "/documents": ("After Visit Summary", "BASIC METABOLIC PANEL (result)"),
}

LISTS_WITHOUT_FACTS = {"/overview", "/messages", "/record/immunizations"}
"""Pages listing no record fact of their own (sync states, thread subjects, an empty list)."""


@dataclass
class Watched:
    """What the browser did: every URL it asked for, and every console error or uncaught page error."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RecordSite]:
    home = tmp_path_factory.mktemp("record-site")
    store = synced_store(home)
    try:
        with record_site(home, store) as served:
            yield served
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=find_browser(None), headless=True, args=launch_args())
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def watched() -> Watched:
    return Watched()


def _watch(context: BrowserContext, watched: Watched) -> None:
    def only_loopback(route: Route) -> None:
        watched.requests.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_loopback)


@pytest.fixture(scope="module")
def page(site: RecordSite, browser: Browser, watched: Watched) -> Iterator[Page]:
    context = browser.new_context()
    _watch(context, watched)
    signed_in = context.new_page()
    signed_in.on("console", lambda message: watched.errors.append(message.text) if message.type == "error" else None)
    signed_in.on("pageerror", lambda error: watched.errors.append(str(error)))
    signed_in.goto(site.login_url())
    assert signed_in.url == f"{site.base_url}/overview"
    yield signed_in
    context.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_each_page_shows_the_sandbox_patients_facts_with_their_origin(
    path: str, site: RecordSite, page: Page, watched: Watched
) -> None:
    answer = page.goto(site.base_url + path)
    assert answer is not None and answer.status == 200
    text = page.inner_text("main")
    for fact in PAGES[path]:
        assert fact in text, (path, fact)
    assert page.locator("h1").count() == 1
    if path not in LISTS_WITHOUT_FACTS:
        assert page.locator("main a", has_text="FHIR JSON").count() >= 1
        assert "Kaiser (" in text and ", fetched 20" in text
    assert watched.errors == []
    assert all(urlsplit(url).hostname == "127.0.0.1" for url in watched.requests), watched.requests


def test_labs_draw_one_svg_trend_per_analyte(site: RecordSite, page: Page) -> None:
    page.goto(f"{site.base_url}/labs")
    analytes = page.locator("section.analyte")
    assert analytes.count() == 8  # the first page of the labs
    assert page.locator("section.analyte figure.chart svg[role=img]").count() == analytes.count()
    label = page.locator("section.analyte svg").first.get_attribute("aria-label") or ""
    assert label.startswith("Trend of ")
    page.get_by_role("link", name="Next page").first.click()
    page.wait_for_url("**/labs?page=2")
    assert "page=2" in page.url and page.locator("section.analyte svg").count() >= 1


def test_a_report_shows_its_components_conclusion_and_pdf_inline(site: RecordSite, page: Page) -> None:
    page.goto(f"{site.base_url}/timeline?type=result")
    page.get_by_role("link", name="BASIC METABOLIC PANEL").first.click()
    page.wait_for_url("**/labs/reports/*")
    text = page.inner_text("main")
    assert "Potassium" in text and "Components" in text
    pdf = page.locator("object.pdf[type='application/pdf']")
    assert pdf.count() >= 1
    answer = page.request.get(site.base_url + (pdf.first.get_attribute("data") or ""))
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body().startswith(b"%PDF")


def test_a_document_is_sanitised_html_and_its_json_is_one_click_away(site: RecordSite, page: Page) -> None:
    page.goto(f"{site.base_url}/documents")
    page.get_by_role("link", name="After Visit Summary").first.click()
    page.wait_for_url("**/documents/*")
    assert page.locator(".record-html").count() >= 1
    assert page.locator(".record-html script, .record-html [onclick], .record-html img").count() == 0
    page.get_by_role("link", name="FHIR JSON").first.click()
    page.wait_for_url("**/resource/DocumentReference/*")
    assert page.locator("h1").inner_text().startswith("DocumentReference/")
    assert '"resourceType": "DocumentReference"' in page.inner_text("pre")


def test_a_thread_shows_every_message(site: RecordSite, page: Page) -> None:
    page.goto(f"{site.base_url}/messages")
    page.get_by_role("link", name="Physical therapy exercises").first.click()
    page.wait_for_url("**/messages/*")
    assert page.locator("article.message").count() >= 2
    assert "Thank you, that helps." in page.inner_text("main")


def test_the_timeline_filters_by_type(site: RecordSite, page: Page) -> None:
    page.goto(f"{site.base_url}/timeline")
    page.select_option("#type", "message")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/timeline?type=message*")
    kinds = set(page.locator("tbody tr td:nth-child(2)").all_inner_texts())
    assert kinds == {"Message"}


def test_marking_as_seen_clears_whats_new(site: RecordSite, page: Page) -> None:
    page.goto(f"{site.base_url}/overview")
    assert page.locator("ul.news strong").first.inner_text() != "0"
    with page.expect_navigation():
        page.get_by_role("button", name="Mark as seen").click()
    assert page.url == f"{site.base_url}/overview"
    assert set(page.locator("ul.news strong").all_inner_texts()) == {"0"}
    assert "You last marked the record as seen" in page.inner_text("main")


@pytest.mark.parametrize(
    ("path", "controls"),
    [("/overview", ("Mark as seen",)), ("/timeline", ("SELECT", "Filter", "FHIR JSON"))],
)
def test_tab_reaches_every_navigation_link_and_control(
    path: str, controls: tuple[str, ...], site: RecordSite, page: Page
) -> None:
    page.goto(site.base_url + path)
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("(e => e.tagName === 'SELECT' ? 'SELECT' : e.innerText || e.tagName)(document.activeElement)")
        )
    for name in ("Skip to content", *NAV, *controls):
        assert name in reached, name
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is visible


def test_axe_finds_no_serious_or_critical_violation(site: RecordSite, browser: Browser, watched: Watched) -> None:
    assert AXE.exists(), "axe-core is missing: run `make node` (npm ci in tests/web/axe)"
    context = browser.new_context(bypass_csp=True)  # only so axe can be injected
    _watch(context, watched)
    axe_page = context.new_page()
    axe_page.goto(site.login_url())
    found = {}
    for path in [*PAGES, _first_link(axe_page, site, "/timeline?type=result", "/labs/reports/")]:
        axe_page.goto(site.base_url + path)
        axe_page.add_script_tag(path=str(AXE))
        checked = axe_page.evaluate(
            "async () => { const r = await axe.run(document); return {passes: r.passes.length, serious: r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id)}; }"
        )
        assert checked["passes"] > 10, path  # axe really ran its rules on the page
        if checked["serious"]:
            found[path] = checked["serious"]
    context.close()
    assert found == {}


def _first_link(page: Page, site: RecordSite, listing: str, prefix: str) -> str:
    page.goto(site.base_url + listing)
    href = page.locator(f"a[href^='{prefix}']").first.get_attribute("href")
    assert href is not None
    return href


def test_the_store_was_synced_from_every_surface(site: RecordSite) -> None:
    store: SqliteStore = site.store
    assert {s.surface for s in store.surface_states() if s.last_success} >= {"test-results", "messages", "visit-notes"}
