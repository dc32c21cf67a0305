"""How `make audit` reads pip-audit: no advice is not a pass, any finding fails."""

from __future__ import annotations

import json

from tests.audit.dependency_audit import read_report, verdict

NOT_FOUND = {
    "name": "uvicorn",
    "skip_reason": "Dependency not found on PyPI and could not be audited: uvicorn (0.54.0)",
}


def test_a_service_that_knew_no_package_did_not_answer() -> None:
    report = read_report(json.dumps({"dependencies": [NOT_FOUND, NOT_FOUND], "fixes": []}))
    assert not report.answered and report.unchecked == 2
    assert not read_report("").answered, "no JSON at all (network error) is no answer either"


def test_a_known_vulnerability_fails_with_its_id_and_fix() -> None:
    vulnerable = {
        "name": "h11",
        "version": "0.14.0",
        "vulns": [{"id": "GHSA-vqfr-h8mv-ghfj", "fix_versions": ["0.16.0"]}],
    }
    clean = {"name": "anyio", "version": "4.16.0", "vulns": []}
    report = read_report(json.dumps({"dependencies": [vulnerable, clean, NOT_FOUND]}))
    code, line = verdict("pypi", report)
    assert report.answered and code == 1
    assert "h11 0.14.0: GHSA-vqfr-h8mv-ghfj (fixed in 0.16.0)" in line


def test_a_clean_answer_says_how_much_it_checked() -> None:
    report = read_report(json.dumps({"dependencies": [{"name": "anyio", "version": "4.16.0", "vulns": []}, NOT_FOUND]}))
    code, line = verdict("osv", report)
    assert code == 0
    assert line.startswith("dependency audit (osv): 1 pinned packages checked, no known vulnerabilities")
    assert line.endswith("; 1 not known to the service, not checked")
