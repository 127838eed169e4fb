"""Basemaps: Plan IGN (Géoplateforme WMTS), OpenStreetMap, or none (the offline default)."""

from __future__ import annotations

import folium

BASEMAPS = {
    "aucun": "Aucun fond (hors ligne)",
    "ign": "Plan IGN",
    "osm": "OpenStreetMap",
}

_TILES = {
    "ign": (
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&FORMAT=image/png"
        "&TILEMATRIXSET=PM&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        '&copy; <a href="https://www.ign.fr/">IGN</a> — Plan IGN',
    ),
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">contributeurs OpenStreetMap</a>',
    ),
}


def basemap_layer(key: str) -> folium.TileLayer | None:
    """Return the tile layer for ``key`` ("ign", "osm") or None for "aucun".

    Raises
    ------
    ValueError
        For an unknown key, listing the valid ones.
    """
    if key not in BASEMAPS:
        raise ValueError(f"unknown basemap {key!r}; expected one of {sorted(BASEMAPS)}")
    if key == "aucun":
        return None
    url, attribution = _TILES[key]
    return folium.TileLayer(url, attr=attribution, name=BASEMAPS[key], max_zoom=18)
