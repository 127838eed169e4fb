"""Outline of the selected territory (drawn whatever layers are on, so a zoom has context)."""

from __future__ import annotations

import geopandas as gpd

from layers.geojson import AtlasGeoJson, InlineData, LayerSpec, geojson_layer

KIND_LABEL = "Sélection"


def selection_layer(gdf: gpd.GeoDataFrame) -> AtlasGeoJson:
    """Draw the selection (``id, name, geometry``, EPSG:4326, usually one row), inline."""
    spec = LayerSpec(
        name="selection",
        kind_label=KIND_LABEL,
        geometry="polygon",
        id_field="id",
        label_field="name",
        style={"color": "#000000", "weight": 3, "fill": False, "interactive": False},
    )
    return geojson_layer(gdf, spec, InlineData(), ["id", "name"])
