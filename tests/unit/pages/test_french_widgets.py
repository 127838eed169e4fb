"""Every select box of the dashboard speaks French, down to its placeholder."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SELECTS = {"selectbox", "multiselect"}


def _select_calls():
    """Yield ``(path, call, names of the module's keyword dicts that set a placeholder)``."""
    for path in sorted((ROOT / "pages").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        with_placeholder = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
            for target in node.targets
            if isinstance(target, ast.Name)
            and any(
                isinstance(k, ast.Constant) and k.value == "placeholder" for k in node.value.keys
            )
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SELECTS
            ):
                yield path.relative_to(ROOT), node, with_placeholder


def _names_placeholder(keyword: ast.keyword, dicts: set[str]) -> bool:
    if keyword.arg == "placeholder":
        return True
    return keyword.arg is None and isinstance(keyword.value, ast.Name) and keyword.value.id in dicts


def test_every_select_box_has_a_french_placeholder():
    # Streamlit writes "Choose an option" (read by screen readers, shown when empty)
    # unless the call names a placeholder: pages.ui.markup.CHOOSE.
    calls = list(_select_calls())
    assert calls, "no select box found: the test no longer looks at the pages"
    missing = [
        f"{path}:{node.lineno}"
        for path, node, dicts in calls
        if not any(_names_placeholder(k, dicts) for k in node.keywords)
    ]
    assert missing == [], f"select boxes without placeholder=CHOOSE: {missing}"
