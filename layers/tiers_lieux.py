"""Tiers-lieux: Fabriques de territoire, Manufactures de proximité, 2019 census (clustered)."""

from __future__ import annotations

import geopandas as gpd

from layers.geojson import AtlasGeoJson, DataStore, geojson_layer
from layers.palette import LAYER_COLORS, OKABE_ITO
from layers.points import commune_point_spec

KIND_LABEL = "Tiers-lieu"
COLUMNS = ["insee_com", "name", "insee_dep", "source"]
SOURCE_COLORS = {
    "Fabrique de territoire": LAYER_COLORS["tiers_lieux"],
    "Manufacture de proximité": OKABE_ITO["yellow"],
    "Recensement 2019": "#9E9E9E",
}


def tiers_lieux_layer(
    gdf: gpd.GeoDataFrame, store: DataStore, *, departements: list[str] | None = None
) -> AtlasGeoJson:
    """Draw tiers-lieux coloured by source (``insee_com, name, insee_dep, source``)."""
    spec = commune_point_spec("tiers_lieux", KIND_LABEL, LAYER_COLORS["tiers_lieux"],
                              label_field="name", departements=departements, cluster=True,
                              color_by="source", colors=SOURCE_COLORS)
    return geojson_layer(gdf, spec, store, COLUMNS)
