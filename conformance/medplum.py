"""Validator 2: Medplum's ``validateResource`` (npm ``@medplum/core`` 4.5.2), one Node process per batch.

``medplum_validate.mjs`` next to this module reads NDJSON on stdin and answers one JSON line per resource;
its dependencies are installed by ``npm ci --prefix conformance`` (``make install``).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translators import fhir_json

__all__ = ["MedplumIssue", "MedplumUnavailableError", "validate_with_medplum"]

log = logging.getLogger("fhirgate.conformance")

PACKAGE_DIR = Path(__file__).resolve().parent
SCRIPT = PACKAGE_DIR / "medplum_validate.mjs"


class MedplumUnavailableError(RuntimeError):
    """Node or the pinned Medplum packages are not installed."""


@dataclass(frozen=True)
class MedplumIssue:
    severity: str
    code: str
    expression: str
    message: str

    def __str__(self) -> str:
        where = f" at {self.expression}" if self.expression else ""
        return f"{self.severity} {self.code}{where}: {self.message}"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise MedplumUnavailableError("Node.js (node >= 20) is not on PATH; it runs the Medplum validator")
    if not (PACKAGE_DIR / "node_modules" / "@medplum" / "core").is_dir():
        raise MedplumUnavailableError(f"Medplum is not installed: run `npm ci --prefix {PACKAGE_DIR}`")
    return node


def validate_with_medplum(resources: Sequence[dict[str, Any]], *, timeout: float = 600.0) -> list[list[MedplumIssue]]:
    """The error-severity issues Medplum finds in each resource, in input order (one Node process in all)."""
    if not resources:
        return []
    ndjson = "".join(fhir_json.dumps(resource) + "\n" for resource in resources)
    completed = subprocess.run(  # noqa: S603 - fixed argv: node + our own script
        [_node(), str(SCRIPT)],
        input=ndjson,
        capture_output=True,
        text=True,
        cwd=PACKAGE_DIR,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise MedplumUnavailableError(f"the Medplum validator failed: {completed.stderr.strip()[-500:]}")
    answers = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    if len(answers) != len(resources):
        raise MedplumUnavailableError(f"the Medplum validator answered {len(answers)} of {len(resources)} resources")
    log.info("event=medplum_validated resources=%d", len(resources))
    return [_errors(answer) for answer in answers]


def _errors(answer: dict[str, Any]) -> list[MedplumIssue]:
    issues = [MedplumIssue(**issue) for issue in answer.get("issues", [])]
    errors = [issue for issue in issues if issue.severity in {"error", "fatal"}]
    if not answer.get("valid", False) and not errors:
        errors = [MedplumIssue("error", "invalid", "", "rejected without an error issue")]
    return errors
