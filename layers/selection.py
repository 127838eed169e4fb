"""Outlines drawn whatever layers are on: the selected territory and the chosen scope.

The selection (a click or a search) is a solid black line; the scope (the région or the
département of the filters) a dashed dark grey one, so a zoom always has its context.
Neither is interactive: a click goes through to the layers underneath.
"""

from __future__ import annotations

import geopandas as gpd

from layers.geojson import AtlasGeoJson, InlineData, LayerSpec, geojson_layer

KIND_LABEL = "Sélection"
SCOPE_LABEL = "Périmètre choisi"
SELECTION_STYLE = {"color": "#000000", "weight": 3, "fill": False, "interactive": False}
SCOPE_STYLE = {
    "color": "#333333",
    "weight": 2.5,
    "dashArray": "8 6",
    "fill": False,
    "interactive": False,
}


def selection_layer(gdf: gpd.GeoDataFrame) -> AtlasGeoJson:
    """Draw the selection (``id, name, geometry``, EPSG:4326, usually one row), inline."""
    return _outline(gdf, "selection", KIND_LABEL, SELECTION_STYLE)


def scope_layer(gdf: gpd.GeoDataFrame) -> AtlasGeoJson:
    """Draw the chosen région or département (``id, name, geometry``, EPSG:4326), inline."""
    return _outline(gdf, "scope", SCOPE_LABEL, SCOPE_STYLE)


def _outline(gdf: gpd.GeoDataFrame, name: str, label: str, style: dict) -> AtlasGeoJson:
    spec = LayerSpec(
        name=name,
        kind_label=label,
        geometry="polygon",
        id_field="id",
        label_field="name",
        style=style,
    )
    return geojson_layer(gdf, spec, InlineData(), ["id", "name"])
