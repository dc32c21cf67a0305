"""The sandbox is apart from the product: product packages never import it, and it never imports fhirgate/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("gateway", "translators", "fhir_client", "mcp_server")


def _imported_modules(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` (relative path) and the absolute module names it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _reaching(modules: dict[str, set[str]], top: str) -> list[str]:
    return sorted(path for path, names in modules.items() if any(n == top or n.startswith(f"{top}.") for n in names))


@pytest.mark.parametrize("package", PRODUCT_PACKAGES)
def test_product_code_never_imports_the_sandbox(package: str) -> None:
    modules = _imported_modules(package)
    assert modules  # the package was found and read
    assert _reaching(modules, "sandbox") == []


def test_the_sandbox_never_imports_the_composition_root() -> None:
    modules = _imported_modules("sandbox")
    assert "sandbox/portal/sign_in.py" in modules
    assert _reaching(modules, "fhirgate") == []
