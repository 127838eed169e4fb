"""Shared fixtures: tiny synthetic geometries with realistic codes, and the real build."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geodata import config
from geodata.build import runner as build
from geodata.vocab import CRS_METRIC


@pytest.fixture
def four_communes() -> gpd.GeoDataFrame:
    """Four adjacent 10 km squares in Lambert-93 (Ain), two per EPCI, reprojected to 4326."""
    x0, y0 = 850_000, 6_550_000
    boxes = [shapely.box(x0 + i * 10_000, y0, x0 + (i + 1) * 10_000, y0 + 10_000) for i in range(4)]
    gdf = gpd.GeoDataFrame(
        {
            "insee_com": ["01001", "01002", "01004", "01005"],
            "siren_epci": ["200029999", "200029999", "240100883", "240100883"],
            "insee_dep": ["01"] * 4,
            "population": [100, 200, 300, 400],
        },
        geometry=boxes,
        crs=CRS_METRIC,
    )
    return gdf.to_crs("EPSG:4326")


@pytest.fixture(scope="session")
def real_build():
    """The real build of the embedded data (built once if missing or out of date)."""
    out = config.build_dir()
    build.build(out, log=lambda msg: None)
    return out


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium (modules skip themselves when it is not installed)."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def server(real_build):
    """The app started once on 127.0.0.1 for every browser test; yields its base URL."""
    from tests.browser import streamlit_server

    with streamlit_server() as srv:
        yield srv.url
