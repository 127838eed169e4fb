"""Tiny synthetic atlases shared by the unit and end-to-end tests (see ``tests/conftest.py``)."""

from __future__ import annotations

import geopandas as gpd
import shapely

from geodata.atlas import Atlas
from geodata.report import BuildReport
from geodata.vocab import CRS_METRIC

# Case names that would run script if the map or the table inserted them as HTML.
XSS_NAMES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


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


def embed_atlas() -> Atlas:
    """Four Ain communes, two EPCI, hostile case names and a tiers-lieu with contacts."""
    com = four_communes().assign(
        nom=["L'Abergement", "Ambérieu", "Ambronay", "Arbent"], insee_reg="84"
    )
    epci = com.dissolve("siren_epci", as_index=False)[["siren_epci", "insee_dep", "geometry"]]
    epci["nom"] = ["CC <b>Un</b>", "CC Deux"]
    deps = com.dissolve("insee_dep", as_index=False)[["insee_dep", "insee_reg", "geometry"]]
    deps = deps.rename(columns={"insee_dep": "code"}).assign(nom="Ain")
    pts = com.geometry.representative_point().values
    cases = gpd.GeoDataFrame(
        {
            "id": ["x1", "x2", "ok"],
            "name": [*XSS_NAMES, "Fabrique d'Ambérieu"],
            "kinds": ["autre", "cluster", "tiers_lieu"],
            "programmes": ["", "LEADER", ""],
            "theme": ["", "", "numérique"],
            "insee_dep": ["01"] * 3,
            "insee_com": ["01001", "01002", "01004"],
            "summary": ["contact : jean.dupont@example.org", "tél. 04 74 12 34 56", "—"],
        },
        geometry=list(pts[:3]),
        crs="EPSG:4326",
    )
    tiers = gpd.GeoDataFrame(
        {
            "source": ["Recensement 2019"],
            "id": ["t1"],
            "name": ["Le Lab"],
            "web": ["mailto:lab@example.org"],
            "insee_com": ["01005"],
            "nom_commune": ["Arbent"],
            "insee_dep": ["01"],
        },
        geometry=[pts[3]],
        crs="EPSG:4326",
    )
    return Atlas(
        out=None,
        communes=com,
        epci=epci,
        departements=deps,
        regions=deps.iloc[:0],
        optional={"cases": cases, "tiers_lieux": tiers},
        report=BuildReport(),
    )
