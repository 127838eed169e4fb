"""Polygonal coverage operations, done in metres.

Metropolitan France is measured in Lambert-93 (EPSG:2154). The overseas départements lie
outside Lambert-93's domain, so each is measured in its official local projection
(RGAF09 UTM 20N for Guadeloupe and Martinique, RGFG95 UTM 22N for Guyane, RGR92 UTM 40S
for La Réunion, RGM04 UTM 38S for Mayotte). Inputs and outputs of the public functions
here are in EPSG:4326 unless said otherwise; reprojection is explicit.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.schema import is_crs
from geodata.vocab import CRS_DISPLAY, CRS_METRIC

OVERSEAS_CRS: dict[str, str] = {
    "971": "EPSG:5490",  # Guadeloupe, RGAF09 / UTM 20N
    "972": "EPSG:5490",  # Martinique, RGAF09 / UTM 20N
    "973": "EPSG:2972",  # Guyane, RGFG95 / UTM 22N
    "974": "EPSG:2975",  # La Réunion, RGR92 / UTM 40S
    "976": "EPSG:4471",  # Mayotte, RGM04 / UTM 38S
}


def metric_crs(insee_dep: str) -> str:
    """Return the metric CRS in which to measure a département's geometry."""
    return OVERSEAS_CRS.get(insee_dep, CRS_METRIC)


def by_metric_zone(
    gdf: gpd.GeoDataFrame,
    func: Callable[[np.ndarray], np.ndarray],
    dep_col: str = "insee_dep",
) -> gpd.GeoDataFrame:
    """Apply ``func`` to the geometries of each metric zone, in that zone's metric CRS.

    ``func`` receives an array of shapely geometries in metres and returns an array of
    the same length. The result keeps ``gdf``'s index, columns and CRS (EPSG:4326).
    Zones are independent: overseas territories never touch metropolitan France.
    """
    if not is_crs(gdf.crs, CRS_DISPLAY):
        raise ValueError(f"by_metric_zone: expected EPSG:4326 input, got {gdf.crs}")
    zones = gdf[dep_col].map(metric_crs)
    out = gdf.geometry.copy()
    for crs, idx in zones.groupby(zones).groups.items():
        part = gdf.loc[idx].geometry.to_crs(crs)
        done = gpd.GeoSeries(func(part.values), index=idx, crs=crs)
        out.loc[idx] = done.to_crs(CRS_DISPLAY).values
    return gdf.set_geometry(out)


def area_km2(gdf: gpd.GeoDataFrame, dep_col: str = "insee_dep") -> pd.Series:
    """Area of each geometry in km², measured in its zone's metric CRS (never in degrees)."""
    zones = gdf[dep_col].map(metric_crs)
    areas = pd.Series(np.nan, index=gdf.index, dtype=float)
    for crs, idx in zones.groupby(zones).groups.items():
        areas.loc[idx] = gdf.loc[idx].geometry.to_crs(crs).area.values / 1e6
    return areas


def clean(geoms: np.ndarray, snapping_distance: float = -1.0) -> np.ndarray:
    """Make polygons a clean coverage (no overlaps, identical shared edges).

    Missing geometries (None) are kept as None and take no part in the cleaning.
    ``snapping_distance`` -1 lets GEOS pick a tiny one from the extent; 0 disables it.
    """
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    out = geoms.copy()
    if present.any():
        out[present] = shapely.coverage_clean(geoms[present], snapping_distance=snapping_distance)
    return out


def simplify(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify a clean coverage, keeping one shared border between neighbours.

    ``tolerance`` is in the units of the input (metres in a metric CRS).
    """
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    out = geoms.copy()
    if present.any():
        out[present] = shapely.coverage_simplify(geoms[present], tolerance)
    return out


def dissolve(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Union the polygons of a clean coverage per value of ``by``; return a GeoSeries by key.

    Uses ``shapely.coverage_union_all``, which is exact and fast on a valid coverage.
    Rows with a missing geometry are skipped (their group may then have a hole).
    """
    present = gdf[~gdf.geometry.isna() & (gdf[by] != "")]
    unions = {
        key: shapely.coverage_union_all(group.geometry.values)
        for key, group in present.groupby(by, sort=True)
    }
    return gpd.GeoSeries(unions, crs=gdf.crs).rename_axis(by)
