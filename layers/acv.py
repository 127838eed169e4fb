"""Action cœur de ville towns (points on the commune)."""

from __future__ import annotations

import geopandas as gpd

from geodata.vocab import PROGRAMMES
from layers.geojson import AtlasGeoJson, DataStore, geojson_layer
from layers.palette import LAYER_COLORS
from layers.points import commune_point_spec

KIND_LABEL = PROGRAMMES["acv"].short[0]  # "ACV", in tooltips and the legend
COLUMNS = ["insee_com", "nom_commune", "insee_dep", "phase"]


def acv_layer(
    gdf: gpd.GeoDataFrame, store: DataStore, *, departements: list[str] | None = None
) -> AtlasGeoJson:
    """Draw ACV communes (``insee_com, nom_commune, insee_dep, phase``, EPSG:4326)."""
    spec = commune_point_spec(
        "acv", KIND_LABEL, LAYER_COLORS["acv"], label_field="nom_commune", departements=departements
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
