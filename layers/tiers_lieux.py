"""Tiers-lieux: Fabriques de territoire, Manufactures de proximité, 2019 census (clustered)."""

from __future__ import annotations

import geopandas as gpd

from geodata.vocab import PROGRAMMES, TIERS_LIEUX
from layers.geojson import AtlasGeoJson, DataStore, geojson_layer
from layers.palette import LAYER_COLORS
from layers.points import commune_point_spec

KIND_LABEL = "Tiers-lieu"
COLUMNS = ["insee_com", "name", "insee_dep", "source"]
FAMILY_COLORS = {  # family code (geodata.vocab.TIERS_LIEUX_FAMILIES) -> colour
    "fabriques": LAYER_COLORS[TIERS_LIEUX],
    # Okabe & Ito yellow (1.3:1 on white) and mid grey (2.7:1) darkened in the same hue to
    # at least 3:1, as every colour the map draws (WCAG 1.4.11, RGAA 3.3).
    "manufactures": "#8A7F00",
    "tiers_lieux_2019": "#808080",
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
