"""The npm ``fhirclient`` (SMART JS client, pinned in tests/smart_js) completes a standalone launch in
real headless Chromium: authorize, the person's consent, ready(); then reads within its scopes, is
refused outside them (403), refreshes (the old refresh token then fails) and loses access on revocation."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import sync_playwright

from fhirgate.serving import free_port, serve_in_thread
from gateway.kaiser.browser import find_browser, launch_args
from tests.smart_server.harness import smart_home
from tests.smart_server.js_app import js_app

pytestmark = pytest.mark.browser


def test_smart_js_client_launches_reads_refreshes_and_is_revoked(tmp_path: Path) -> None:
    app_port = free_port()
    app_origin = f"http://127.0.0.1:{app_port}"
    with (
        serve_in_thread(js_app(), port=app_port),
        smart_home(tmp_path, cors_origins=(app_origin,)) as home,
        sync_playwright() as playwright,
    ):
        registered = home.smart.registry.add("JS app", [f"{app_origin}/app.html"], confidential=False).app
        browser = playwright.chromium.launch(executable_path=find_browser(None), headless=True, args=launch_args())
        try:
            page = browser.new_context().new_page()
            page.goto(home.login_link())
            page.goto(
                f"{app_origin}/launch.html?{urlencode({'client_id': registered.client_id, 'iss': home.fhir_base})}"
            )
            page.wait_for_url(f"{home.server.base_url}/smart/authorize?*")
            assert "Observation" in page.inner_text("main")
            page.get_by_role("button", name="Allow").click()
            page.wait_for_function("window.smartResult !== undefined", timeout=30_000)
            result: dict[str, Any] = page.evaluate("window.smartResult")
        finally:
            browser.close()
    assert "error" not in result, result
    assert result["patient"] == home.patient_id
    assert result["fhirUser"] == f"Patient/{home.patient_id}"
    assert result["observations"] == 2
    assert result["condition"] == 403 and result["conditionRaw"] == 403
    assert result["rotated"] is True and result["oldRefresh"] == 400
    assert result["afterRefresh"] == 200
    assert result["revoke"] == 200 and result["afterRevoke"] == 401
