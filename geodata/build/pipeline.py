"""What every build stage shares: options, results, cache-key digests. Imports no stage.

A stage is a pair of functions in its own module of :mod:`geodata.build`: ``key(opts)``
returns the stage's cache key (versions and checksums of its sources and of its code), and
``run(opts, log)`` returns a :class:`StageResult`. :mod:`geodata.build.runner` orders the
stages and skips those whose key matches the last build.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import geopandas as gpd

from geodata.report import StageReport

Log = Callable[[str], None]
PACKAGE = "geodata"
PACKAGE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class BuildOptions:
    """Inputs of a build beyond the packaged sources."""

    out: Path
    data_dir: Path | None = None  # official lists (ATLAS_DATA_DIR / --data-dir / snapshot)
    cases: tuple[Path, ...] = ()  # users' own case tables (--cases)


@dataclass
class StageResult:
    """What a stage produced: layers to write and what goes into the report.

    ``folders`` maps a folder of the build (``"tiles"``) to the staging folder the stage
    wrote it in (:func:`staging_folder`); the runner swaps it in whole.
    """

    layers: dict[str, gpd.GeoDataFrame]
    report: StageReport = field(default_factory=StageReport)  # key, files, built_at: runner
    folders: dict[str, Path] = field(default_factory=dict)


STAGING_PREFIX = ".staging-"  # a folder being written by a stage (removed if left)


def staging_folder(out: Path, name: str) -> Path:
    """Return an empty folder of ``out`` where a stage writes its folder ``name``.

    The runner renames it to ``out/name`` once the stage is done, so a killed build never
    leaves a half-written folder taken as built; a staging folder left by a killed build
    is removed by the next one.
    """
    path = out / f"{STAGING_PREFIX}{name}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


KeyFunc = Callable[[BuildOptions], dict]
RunFunc = Callable[[BuildOptions, Log], StageResult]


def digest_json(data: object) -> str:
    """Return a short sha256 of a JSON-serialisable value (keys sorted)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def code_digest(module: str, *data_files: Path) -> str:
    """Return a digest of a stage's code: its module and every project module it imports.

    The modules are found by following the ``import`` statements of ``module`` through the
    ``geodata`` package (transitively), so a change in any module a stage uses (a schema,
    the vocabulary, a model function) rebuilds it, and no list is kept by hand.
    ``data_files`` (curated tables read by the stage) are hashed with the code.
    """
    h = hashlib.sha256()
    for path in sorted(module_closure(module)):
        h.update(path.encode())
        h.update((PACKAGE_DIR.parent / path).read_bytes())
    for path in data_files:
        h.update(Path(path).read_bytes())
    return h.hexdigest()[:16]


@cache
def module_closure(module: str) -> frozenset[str]:
    """Return the files (relative to the project root) of ``module`` and its project imports."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or path in seen:
            continue
        seen.add(path)
        todo.extend(_imported_modules(name, PACKAGE_DIR.parent / path))
    return frozenset(seen)


def _module_file(name: str) -> str | None:
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    base = PACKAGE_DIR.parent / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return str(candidate.relative_to(PACKAGE_DIR.parent))
    return None


def _imported_modules(name: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]  # submodules
    return [m for m in found if m.split(".")[0] == PACKAGE and m not in sys.builtin_module_names]
