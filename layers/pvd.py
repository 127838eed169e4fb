"""Petites villes de demain towns (points on the commune, clustered)."""

from __future__ import annotations

import geopandas as gpd

from geodata.vocab import PROGRAMMES
from layers.geojson import AtlasGeoJson, DataStore, geojson_layer
from layers.palette import LAYER_COLORS
from layers.points import commune_point_spec

KIND_LABEL = PROGRAMMES["pvd"].short[0]  # "PVD", in tooltips and the legend
COLUMNS = ["insee_com", "nom_commune", "insee_dep"]


def pvd_layer(
    gdf: gpd.GeoDataFrame, store: DataStore, *, departements: list[str] | None = None
) -> AtlasGeoJson:
    """Draw PVD communes (``insee_com, nom_commune, insee_dep``, EPSG:4326), clustered."""
    spec = commune_point_spec(
        "pvd",
        KIND_LABEL,
        LAYER_COLORS["pvd"],
        label_field="nom_commune",
        departements=departements,
        cluster=True,
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
