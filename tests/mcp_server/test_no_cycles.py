"""No module of `mcp_server` imports, even lazily or only for type checking, a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import mcp_server

PACKAGE = Path(mcp_server.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The `mcp_server` modules `path` imports anywhere in its body (a name imported from a package
    counts as its submodule when there is one)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom) and node.module in modules and node.level == 0:
            for alias in node.names:
                found.add(sub if (sub := f"{node.module}.{alias.name}") in modules else node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph` as the list of modules around it, or None."""
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> list[str] | None:
        if name in stack:
            return [*stack[stack.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            if (cycle := visit(target, [*stack, name])) is not None:
                return cycle
        done.add(name)
        return None

    for name in sorted(graph):
        if (cycle := visit(name, [])) is not None:
            return cycle
    return None


def test_the_import_graph_of_mcp_server_has_no_cycle() -> None:
    graph = import_graph()
    assert "mcp_server.tool_table" in graph and "mcp_server.answers.answer" in graph["mcp_server.tools.context"]
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle_through_three_modules() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def _folder(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 else "(top)"


def test_the_feature_folders_import_each_other_one_way() -> None:
    """The table and the server (top level) compose every folder; between folders the arrows go one way."""
    graph = import_graph()
    folders: dict[str, set[str]] = {_folder(name): set() for name in graph}
    for importer, imported in graph.items():
        folders[_folder(importer)] |= {_folder(target) for target in imported} - {_folder(importer), "(top)"}
    folders["(top)"] = set()
    assert {"tools", "answers", "approvals", "sources", "untrusted"} <= set(folders)
    assert "answers" in folders["tools"]
    assert find_cycle(folders) is None, " -> ".join(find_cycle(folders) or [])
