"""docs/benchmarks.md: each benchmark owns one `## ` section, replaced in place (or appended) on every run."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["DOCS", "replace_section"]

DOCS = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


def replace_section(heading: str, text: str) -> None:
    """Put `text` (starting with `heading`) where the section `heading` is, or at the end."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(heading) + r".*?(?=\n## |\Z)", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip("\n") + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    DOCS.write_text(updated, encoding="utf-8")
