"""The layers, read from the imports of every product module (``ast``, nothing imported): the arrows allowed
in docs/architecture.md hold, and no two packages import each other (directly or round a longer cycle)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SANDBOX = "sandbox"
"""The sandbox package (synthetic portal and EHR), apart from the product path."""
PACKAGES = ("translators", "fhir_client", "gateway", "mcp_server", "fhirgate", "conformance", SANDBOX.split(".")[0])
BOTTOM = ("translators", "fhir_client")
ABOVE_GATEWAY = ("fhirgate", "mcp_server", "conformance")


@dataclass(frozen=True)
class Arrow:
    importer: str
    imported: str


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        if node.level == 0:
            yield node.module or ""
            return
        base = module.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        yield ".".join([*base, *([node.module] if node.module else [])])


@cache
def arrows() -> tuple[Arrow, ...]:
    """Every import (module level, inside functions or under TYPE_CHECKING) between product modules."""
    found: set[Arrow] = set()
    roots = set(PACKAGES)
    for root in sorted(roots):
        for path in sorted((REPO / root).rglob("*.py")):
            if "node_modules" in path.parts:
                continue
            module = _module_name(path)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                for imported in _imported(node, module, path.name == "__init__.py"):
                    if imported.split(".")[0] in roots:
                        found.add(Arrow(module, imported))
    return tuple(sorted(found, key=lambda a: (a.importer, a.imported)))


def package_of(module: str) -> str:
    """The unit of the cycle check: the sandbox, a sub-package of gateway, or a top-level package."""
    if _within(module, SANDBOX):
        return SANDBOX
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "gateway" and len(parts) > 1 else parts[0]


def _offending(importers: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{a.importer} -> {a.imported}"
        for a in arrows()
        if any(_within(a.importer, p) for p in importers) and any(_within(a.imported, p) for p in forbidden)
    ]


def test_the_modules_are_found_and_read() -> None:
    importers = {a.importer for a in arrows()}
    assert {
        "fhirgate.kaiser_source",
        "gateway.facade.app",
        "mcp_server.sources.registry",
        "translators.allergies",
    } <= importers
    assert Arrow("fhirgate.kaiser_source", "gateway.facade") in arrows()


@pytest.mark.parametrize("bottom", BOTTOM)
def test_the_bottom_layers_import_only_themselves(bottom: str) -> None:
    others = tuple(p for p in PACKAGES if p != bottom)
    assert _offending((bottom,), others) == []


def test_gateway_and_the_sandbox_never_import_the_layers_above() -> None:
    assert _offending(("gateway", SANDBOX), ABOVE_GATEWAY) == []


def test_the_mcp_server_never_imports_the_composition_root() -> None:
    assert _offending(("mcp_server",), ("fhirgate", "conformance")) == []


def test_product_code_never_imports_the_sandbox() -> None:
    product = [a for a in arrows() if not _within(a.importer, SANDBOX)]
    serving = ("translators", "fhir_client", "gateway", "mcp_server")
    offending = [
        f"{a.importer} -> {a.imported}"
        for a in product
        if any(_within(a.importer, p) for p in serving) and _within(a.imported, SANDBOX)
    ]
    assert offending == []


KAISER_WING = "gateway.kaiser"
ABOVE_THE_WING = ("fhirgate", "mcp_server", "gateway.sync", "gateway.facade", "gateway.web", "gateway.writes")
SURFACE_DOORS = ("gateway.kaiser.surfaces.protocol", "gateway.kaiser.surfaces.table")


def test_the_kaiser_wing_imports_nothing_above_it() -> None:
    assert _offending((KAISER_WING,), ABOVE_THE_WING) == []


def test_the_sync_knows_surfaces_only_by_their_protocol_and_the_one_table() -> None:
    reached = [
        f"{a.importer} -> {a.imported}"
        for a in arrows()
        if _within(a.importer, "gateway.sync")
        and _within(a.imported, "gateway.kaiser.surfaces")
        and not any(_within(a.imported, door) for door in SURFACE_DOORS)
    ]
    assert reached == []
    assert Arrow("gateway.sync.engine", "gateway.kaiser.surfaces.table") in arrows()


def test_no_import_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for arrow in arrows():
        source, target = package_of(arrow.importer), package_of(arrow.imported)
        if source != target:
            graph.setdefault(source, set()).add(target)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)
