"""The data flows one way: geodata -> layers -> pages; no import cycle among our modules."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("geodata", "layers", "pages", "cli")


def _modules() -> dict[str, set[str]]:
    """Each project module with the modules it imports (absolute names)."""
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            base = name if parts[-1] == "__init__" else name.rpartition(".")[0]
            found: set[str] = set()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name for alias in node.names}
                elif isinstance(node, ast.ImportFrom):
                    module = node.module or ""
                    if node.level:
                        up = base.split(".")[: len(base.split(".")) - node.level + 1]
                        module = ".".join([*up, *([module] if module else [])])
                    found.add(module)
                    found |= {f"{module}.{alias.name}" for alias in node.names}
            graph[name] = found
    return graph


def _top(name: str) -> str:
    return name.split(".")[0]


def test_geodata_imports_no_display_and_layers_no_page():
    forbidden = {
        "geodata": {"layers", "pages", "streamlit", "folium", "cli"},
        "layers": {"pages", "streamlit", "cli"},
    }
    for module, imports in _modules().items():
        bad = {i for i in imports if _top(i) in forbidden.get(_top(module), set())}
        assert not bad, f"{module} imports {sorted(bad)} against the data flow"


def test_no_import_cycle_among_the_project_modules():
    graph = _modules()
    edges = {m: {i for i in imports if i in graph and i != m} for m, imports in graph.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(edges[module]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt] if nxt in path else [module, nxt]
                raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])


def test_every_routed_page_imports_the_pages_package():
    # A fresh server whose first visitor opens a deep link runs that page file directly
    # (Streamlit's v1 "pages directory" mode); importing ``pages`` is what reroutes it
    # through app.py (pages/__init__.py). A page without it showed module names in the
    # sidebar and an English, unstyled page, and kept the server in that mode.
    graph = _modules()
    for path in sorted((ROOT / "pages").glob("*.py")):
        if path.name == "__init__.py":
            continue
        imports = graph[f"pages.{path.stem}"]
        assert any(i == "pages" or i.startswith("pages.") for i in imports), (
            f"pages/{path.name} imports nothing from the pages package: add `import pages`"
        )
