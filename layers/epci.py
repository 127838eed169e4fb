"""EPCI (intercommunalités) boundaries: the national base layer."""

from __future__ import annotations

import geopandas as gpd

from layers.geojson import AtlasGeoJson, DataStore, LayerSpec, geojson_layer
from layers.palette import LAYER_COLORS

KIND_LABEL = "EPCI"
COLUMNS = ["siren_epci", "nom", "insee_dep"]


def epci_layer(
    gdf: gpd.GeoDataFrame,
    store: DataStore,
    *,
    departements: list[str] | None = None,
    highlight: str | None = None,
) -> AtlasGeoJson:
    """Draw EPCI outlines; optionally only those of some départements, one highlighted.

    Parameters
    ----------
    gdf : GeoDataFrame, EPSG:4326
        ``siren_epci, nom, insee_dep, geometry`` (the display-simplified layer).
    store : DataStore
        Where the features go (a static file the browser caches, or inline).
    departements : list of str, optional
        Keep the EPCI whose main département is in this list.
    highlight : str, optional
        SIREN of the EPCI to draw in bold.
    """
    spec = LayerSpec(
        name="epci",
        kind_label=KIND_LABEL,
        geometry="polygon",
        id_field="siren_epci",
        label_field="nom",
        style={
            "color": LAYER_COLORS["epci"],
            "weight": 0.8,
            "fillColor": "#ffffff",
            "fillOpacity": 0.05,
        },
        filters={"insee_dep": departements} if departements else None,
        highlight=highlight,
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
