"""Shared fixtures: tiny synthetic geometries with realistic codes, and the real build.

Layout: ``unit/`` (synthetic data, mirrors the packages), ``integration/`` (the real
embedded data, marked ``integration``), ``e2e/`` (a real browser, marked ``browser`` and
``integration``; its fixtures are in ``e2e/conftest.py``). Helpers live in ``support/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest

from geodata import atlas
from geodata.atlas import Atlas
from geodata.build import runner as build
from tests.support import synthetic

FOLDER_MARKS = {"integration": ("integration",), "e2e": ("browser", "integration")}
REAL_DATA = {"real_build", "real_atlas"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by its folder; refuse a unit test that reads the real build."""
    root = Path(__file__).parent
    for item in items:
        parts = item.path.relative_to(root).parts if item.path.is_relative_to(root) else ()
        folder = parts[0] if len(parts) > 1 else ""
        for name in FOLDER_MARKS.get(folder, ()):
            item.add_marker(name)
        if folder == "unit" and REAL_DATA & set(getattr(item, "fixturenames", ())):
            raise pytest.UsageError(
                f"{item.nodeid} reads the real build: a unit test uses "
                "synthetic data; move it to tests/integration/"
            )


@pytest.fixture
def four_communes() -> gpd.GeoDataFrame:
    """Four adjacent 10 km squares in Lambert-93 (Ain), two per EPCI, reprojected to 4326."""
    return synthetic.four_communes()


@pytest.fixture
def embed_atlas() -> Atlas:
    """Four Ain communes, two EPCI, hostile case names and a tiers-lieu with contacts."""
    return synthetic.embed_atlas()


@pytest.fixture(scope="session", autouse=True)
def session_build_dir(tmp_path_factory) -> Iterator[Path]:
    """``ATLAS_BUILD_DIR`` for the whole session: a temporary directory, empty until used."""
    # So no test, and no app server a test starts, reads or writes the developer's build/.
    out = tmp_path_factory.getbasetemp() / "build"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ATLAS_BUILD_DIR", str(out))
        yield out


@pytest.fixture(scope="session")
def real_build(session_build_dir: Path) -> Path:
    """The real embedded data, built once per session into ``ATLAS_BUILD_DIR`` (temporary)."""
    # The in-process pages (AppTest) and the browser tests' app servers read it too.
    build.build(session_build_dir, log=lambda msg: None)
    return session_build_dir


@pytest.fixture(scope="session")
def real_atlas(real_build: Path) -> Atlas:
    """Every layer of the real build, loaded once (read-only: never mutate it)."""
    return atlas.load(real_build)
