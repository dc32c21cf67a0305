"""`make audit`: known vulnerabilities in the pinned lock (``requirements.lock``), through pip-audit.

pip-audit reports "No known vulnerabilities found" even when its advisory service knew none of the
packages (a network that serves PyPI's files but not its JSON API answers 404 for each). So each service
is asked in turn (PyPI's advisory data, then OSV); a service that returns advice for no package did not
answer. Outcomes: a finding fails (exit 1); no service answering is said in one line, exit 0, and is not
called a pass; otherwise the line says how many pinned packages were checked and how many could not be.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"
SERVICES = ("pypi", "osv")


@dataclass(frozen=True)
class AuditReport:
    """What one advisory service said about the pinned packages."""

    checked: int
    unchecked: int
    findings: tuple[str, ...]

    @property
    def answered(self) -> bool:
        return self.checked > 0


def read_report(text: str) -> AuditReport:
    """Parse pip-audit's ``--format json`` output (a report with no JSON reads as "did not answer")."""
    try:
        dependencies = json.loads(text).get("dependencies", [])
    except (ValueError, AttributeError):
        return AuditReport(0, 0, ())
    checked = [d for d in dependencies if "skip_reason" not in d]
    findings = tuple(
        f"{d['name']} {d.get('version', '?')}: {v.get('id', '?')} (fixed in {', '.join(v.get('fix_versions') or '?')})"
        for d in checked
        for v in d.get("vulns") or []
    )
    return AuditReport(len(checked), len(dependencies) - len(checked), findings)


def audit(service: str, lock: Path = LOCK) -> AuditReport:
    command = [sys.executable, "-m", "pip_audit", "--requirement", str(lock), "--no-deps", "--disable-pip"]
    command += ["--progress-spinner", "off", "--format", "json", "--vulnerability-service", service]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603
    return read_report(done.stdout)


def verdict(service: str, report: AuditReport) -> tuple[int, str]:
    """Exit code and the one line to print for ``report`` from ``service``."""
    if report.findings:
        return 1, f"dependency audit ({service}): known vulnerabilities:\n  " + "\n  ".join(report.findings)
    line = f"dependency audit ({service}): {report.checked} pinned packages checked, no known vulnerabilities"
    return 0, line + (f"; {report.unchecked} not known to the service, not checked" if report.unchecked else "")


def main() -> int:
    for service in SERVICES:
        report = audit(service)
        if report.answered:
            code, line = verdict(service, report)
            print(line)
            return code
    print(f"dependency audit: no advisory service answered ({', '.join(SERVICES)}); NOT a pass: nothing was checked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
