"""Case studies (and the clusters among them): points, or the area of their EPCI / Pays."""

from __future__ import annotations

import geopandas as gpd

from layers.geojson import AtlasGeoJson, DataStore, LayerSpec, geojson_layer
from layers.palette import LAYER_COLORS

KIND_LABEL = "Étude de cas"
CLUSTER_LABEL = "Cluster"
COLUMNS = ["id", "name", "kinds", "programmes", "theme", "insee_dep", "summary"]


def _filters(departements, kinds, programmes, themes) -> dict[str, list[str]]:
    wanted = {"insee_dep": departements, "kinds": kinds, "programmes": programmes, "theme": themes}
    return {field: list(values) for field, values in wanted.items() if values}


def cases_layer(
    gdf: gpd.GeoDataFrame,
    store: DataStore,
    *,
    departements: list[str] | None = None,
    kinds: list[str] | None = None,
    programmes: list[str] | None = None,
    themes: list[str] | None = None,
    text: str = "",
    highlight: str | None = None,
    clusters_only: bool = False,
) -> AtlasGeoJson:
    """Draw case studies (``id, name, kinds, programmes, theme, insee_dep, summary``).

    Multi-valued fields (``kinds``, ``programmes``) are ``;``-separated; a filter keeps a
    case when any of its values is wanted. ``text`` searches name, summary and theme.
    """
    color = LAYER_COLORS["clusters" if clusters_only else "cases"]
    spec = LayerSpec(
        name="clusters" if clusters_only else "cases",
        kind_label=CLUSTER_LABEL if clusters_only else KIND_LABEL,
        geometry="point",
        id_field="id",
        label_field="name",
        style={
            "radius": 7,
            "color": "#ffffff",
            "weight": 2,
            "fillColor": color,
            "fillOpacity": 0.95,
            "opacity": 1,
        },
        filters=_filters(departements, kinds, programmes, themes),
        text=text or None,
        text_fields=("name", "summary", "theme"),
        highlight=highlight,
        area_style={
            "color": color,
            "weight": 2,
            "dashArray": "2 4",
            "fillColor": color,
            "fillOpacity": 0.03,
        },  # several cases may share one Pays: keep the stack light
    )
    return geojson_layer(gdf, spec, store, COLUMNS)
