"""Pays / PETR perimeters."""

from __future__ import annotations

import geopandas as gpd

from layers.geojson import AtlasGeoJson, DataStore, LayerSpec, geojson_layer
from layers.palette import LAYER_COLORS

KIND_LABEL = "Pays / PETR"
COLUMNS = ["pays_id", "nom"]


def pays_layer(
    gdf: gpd.GeoDataFrame, store: DataStore, *, ids: list[str] | None = None,
    highlight: str | None = None,
) -> AtlasGeoJson:
    """Draw Pays/PETR perimeters (``pays_id, nom, geometry``, EPSG:4326); ``ids`` keeps some."""
    spec = LayerSpec(
        name="pays", kind_label=KIND_LABEL, geometry="polygon", id_field="pays_id",
        label_field="nom",
        style={"color": LAYER_COLORS["pays"], "weight": 2, "fillColor": LAYER_COLORS["pays"],
               "fillOpacity": 0.15, "dashArray": "6 4"},
        filters={"pays_id": ids} if ids is not None else None, highlight=highlight,
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
