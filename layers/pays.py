"""Pays / PETR perimeters: the national PETR of BANATIC and the Pays of the documents.

The Pays described in the documents (curated, with their monograph figures) are drawn in
a darker shade of the layer's colour, on top of the PETR, and their tooltip says "Pays
décrit dans les documents"; the legend names both.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.model.pays import CURATED_LABEL, NATIONAL_LABEL
from layers.geojson import AtlasGeoJson, DataStore, LayerSpec, geojson_layer
from layers.palette import LAYER_COLORS

KIND_LABEL = "Pays / PETR"
CURATED_COLOR = "#00573F"  # the layer's bluish green (Okabe & Ito), darker: same hue
COLUMNS = ["pays_id", "nom", "label", "origine"]


def pays_layer(
    gdf: gpd.GeoDataFrame,
    store: DataStore,
    *,
    ids: list[str] | None = None,
    highlight: str | None = None,
) -> AtlasGeoJson:
    """Draw Pays/PETR perimeters (``pays_id, nom, geometry``, EPSG:4326); ``ids`` keeps some.

    A boolean column ``curated`` (see :func:`geodata.model.pays.with_national_petr`) marks
    the Pays of the documents; without it every row is drawn as a PETR of BANATIC.
    """
    spec = LayerSpec(
        name="pays",
        kind_label=KIND_LABEL,
        geometry="polygon",
        id_field="pays_id",
        label_field="label",
        style={
            "color": LAYER_COLORS["pays"],
            "weight": 2,
            "fillColor": LAYER_COLORS["pays"],
            "fillOpacity": 0.15,
            "dashArray": "6 4",
        },
        color_by="origine",
        colors={NATIONAL_LABEL: LAYER_COLORS["pays"], CURATED_LABEL: CURATED_COLOR},
        text_fields=("nom",),
        filters={"pays_id": ids} if ids is not None else None,
        highlight=highlight,
    )
    return geojson_layer(with_origin(gdf), spec, store, COLUMNS)


def with_origin(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``origine`` and the tooltip ``label``; curated Pays last (drawn on top)."""
    curated = (
        gdf["curated"].fillna(False).astype(bool)
        if "curated" in gdf.columns
        else pd.Series(False, index=gdf.index)
    )
    out = gdf.assign(
        origine=curated.map({True: CURATED_LABEL, False: NATIONAL_LABEL}),
        label=gdf["nom"].where(~curated, gdf["nom"] + f" ({CURATED_LABEL})"),
        _order=curated.astype(int),
    )
    return out.sort_values("_order", kind="stable").drop(columns="_order")
