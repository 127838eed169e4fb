"""Action cœur de ville towns (points on the commune), one shade per phase.

The 2018 phase is drawn in the layer's colour, the 2023 phase in a darker shade of the
same hue; the legend names both (a town listed in both phases has both points, the 2023
one on top).
"""

from __future__ import annotations

import geopandas as gpd

from geodata.vocab import PROGRAMMES
from layers.geojson import AtlasGeoJson, DataStore, geojson_layer
from layers.palette import LAYER_COLORS
from layers.points import commune_point_spec

KIND_LABEL = PROGRAMMES["acv"].short[0]  # "ACV", in tooltips and the legend
COLUMNS = ["insee_com", "nom_commune", "insee_dep", "phase", "phase_label"]
LATER_PHASE_COLOR = "#8F3A00"  # the layer's vermillion, darker: same hue


def phase_colors() -> dict[str, str]:
    """Return the colour of each phase label ("phase 2018" -> colour), in phase order."""
    phases = sorted(PROGRAMMES["acv"].phases)
    shades = [LAYER_COLORS["acv"], LATER_PHASE_COLOR]
    return {f"phase {p}": shades[min(i, 1)] for i, p in enumerate(phases)}


def acv_layer(
    gdf: gpd.GeoDataFrame, store: DataStore, *, departements: list[str] | None = None
) -> AtlasGeoJson:
    """Draw ACV communes (``insee_com, nom_commune, insee_dep, phase``, EPSG:4326)."""
    spec = commune_point_spec(
        "acv",
        KIND_LABEL,
        LAYER_COLORS["acv"],
        label_field="nom_commune",
        departements=departements,
        color_by="phase_label",
        colors=phase_colors(),
    )
    labelled = gdf.assign(phase_label="phase " + gdf["phase"].astype(str))
    return geojson_layer(labelled.sort_values("phase", kind="stable"), spec, store, COLUMNS)
