"""Tiers-lieux: Fabriques de territoire, Manufactures de proximité, 2019 census (clustered)."""

from __future__ import annotations

import geopandas as gpd

from geodata.vocab import PROGRAMMES, TIERS_LIEUX
from layers.geojson import AtlasGeoJson, DataStore, geojson_layer
from layers.palette import LAYER_COLORS, OKABE_ITO
from layers.points import commune_point_spec

KIND_LABEL = "Tiers-lieu"
COLUMNS = ["insee_com", "name", "insee_dep", "source"]
FAMILY_COLORS = {  # family code (geodata.vocab.TIERS_LIEUX_FAMILIES) -> colour
    "fabriques": LAYER_COLORS[TIERS_LIEUX],
    "manufactures": OKABE_ITO["yellow"],
    "tiers_lieux_2019": "#9E9E9E",
}
# The map colours by the ``source`` label each family shows (the legend lists these labels).
SOURCE_COLORS = {PROGRAMMES[family].source_label: color for family, color in FAMILY_COLORS.items()}


def tiers_lieux_layer(
    gdf: gpd.GeoDataFrame, store: DataStore, *, departements: list[str] | None = None
) -> AtlasGeoJson:
    """Draw tiers-lieux coloured by source (``insee_com, name, insee_dep, source``)."""
    spec = commune_point_spec(
        TIERS_LIEUX,
        KIND_LABEL,
        LAYER_COLORS[TIERS_LIEUX],
        label_field="name",
        departements=departements,
        cluster=True,
        color_by="source",
        colors=SOURCE_COLORS,
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
