"""Territoires d'industrie perimeters (union of their members)."""

from __future__ import annotations

import geopandas as gpd

from geodata.vocab import TI_CURRENT_PHASE
from layers.geojson import AtlasGeoJson, DataStore, LayerSpec, geojson_layer
from layers.palette import LAYER_COLORS

KIND_LABEL = "Territoire d'industrie"
COLUMNS = ["id_ti", "lib_ti", "phase"]


def ti_layer(
    gdf: gpd.GeoDataFrame,
    store: DataStore,
    *,
    phase: str = TI_CURRENT_PHASE,
    ids: list[str] | None = None,
    highlight: str | None = None,
) -> AtlasGeoJson:
    """Draw the TI of one ``phase`` (``id_ti, lib_ti, phase, geometry``, EPSG:4326)."""
    filters = {"phase": [phase]}
    if ids is not None:
        filters["id_ti"] = ids
    spec = LayerSpec(
        name="ti",
        kind_label=KIND_LABEL,
        geometry="polygon",
        id_field="id_ti",
        label_field="lib_ti",
        style={
            "color": LAYER_COLORS["ti"],
            "weight": 1.5,
            "fillColor": LAYER_COLORS["ti"],
            "fillOpacity": 0.2,
        },
        filters=filters,
        highlight=highlight,
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
