"""The Kaiser wing's arrows, read from the source: it never imports the layers above it, and the sync
engine knows surfaces only by their protocol and the one table."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ABOVE_THE_WING = ("fhirgate", "gateway.sync", "gateway.facade", "gateway.web", "gateway.writes", "mcp_server")


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def _python_files(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, folder
    return files


def test_the_kaiser_wing_imports_nothing_above_it() -> None:
    upward = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _python_files("gateway/kaiser")
        for module in _imported_modules(path)
        if any(module == top or module.startswith(f"{top}.") for top in ABOVE_THE_WING)
    }
    assert upward == set()


def test_the_sync_knows_surfaces_only_by_protocol_and_table() -> None:
    allowed = {"gateway.kaiser.surfaces.protocol", "gateway.kaiser.surfaces.table"}
    reached = {
        f"{path.relative_to(ROOT)} imports {module}"
        for path in _python_files("gateway/sync")
        for module in _imported_modules(path)
        if module.startswith("gateway.kaiser.surfaces")
        and not any(module == name or module.startswith(f"{name}.") for name in allowed)
    }
    assert reached == set()
