"""LOINC coverage of the lab results: share of lab Observations with a LOINC coding, per panel, and the
component names left without one (``python -m tests.benchmarks.lab_loinc_coverage --size large``).

The patient goes through the same translators as a sync (``conformance.surfaces``); the table printed is
the one kept in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from conformance.surfaces import translate_patient
from sandbox.patient import generate_patient

LOINC = "http://loinc.org"


@dataclass
class PanelCoverage:
    """Lab Observations of one panel (order name): how many, how many LOINC-coded, which names were not."""

    total: int = 0
    mapped: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)


def _is_lab(observation: dict[str, Any]) -> bool:
    return any(c.get("code") == "laboratory" for cat in observation.get("category", []) for c in cat.get("coding", []))


def lab_coverage(resources: list[dict[str, Any]]) -> dict[str, PanelCoverage]:
    """Coverage per panel name (the DiagnosticReport's ``code.text``) over the translated ``resources``."""
    panel_of: dict[str, str] = {}
    for report in (r for r in resources if r["resourceType"] == "DiagnosticReport"):
        for result in report.get("result", []):
            panel_of[result["reference"].partition("/")[2]] = report["code"].get("text", "?")
    coverage: dict[str, PanelCoverage] = {}
    for observation in (r for r in resources if r["resourceType"] == "Observation" and _is_lab(r)):
        row = coverage.setdefault(panel_of.get(observation["id"], "?"), PanelCoverage())
        row.total += 1
        if any(c.get("system") == LOINC for c in observation["code"].get("coding", [])):
            row.mapped += 1
        else:
            codes = [c["code"] for c in observation["code"].get("coding", []) if "code" in c]
            row.unmapped[codes[0] if codes else observation["code"].get("text", "?")] += 1
    return coverage


def coverage_table(coverage: dict[str, PanelCoverage]) -> str:
    """Markdown: one row per panel and a total row."""
    lines = ["| panel | lab Observations | with LOINC | share | unmapped component names |", "|---|--:|--:|--:|---|"]
    for name, row in sorted(coverage.items()):
        names = ", ".join(f"{n} ({c})" for n, c in sorted(row.unmapped.items())) or "—"
        lines.append(f"| {name} | {row.total} | {row.mapped} | {row.mapped / row.total:.1%} | {names} |")
    total = sum(r.total for r in coverage.values())
    mapped = sum(r.mapped for r in coverage.values())
    lines.append(f"| **all** | {total} | {mapped} | {mapped / max(total, 1):.1%} | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="large", choices=("small", "large"))
    args = parser.parse_args(argv)
    run = translate_patient(generate_patient(1, args.size), portal=False)
    sys.stdout.write(coverage_table(lab_coverage(run.resources())) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
