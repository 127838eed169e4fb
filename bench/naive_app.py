"""The naive way, for comparison only: unsimplified EPCI GeoJSON inlined through st_folium.

Same vendored Leaflet as the atlas (so it draws offline); the GeoDataFrame is read and
serialised on every run, as a first version typically does.
"""

from __future__ import annotations

import folium
import geopandas as gpd
from streamlit_folium import st_folium

from geodata import config
from layers.assets import offline_map

epci = gpd.read_parquet(config.build_dir() / "epci.parquet")
m = offline_map(zoom_snap=0.25)
folium.GeoJson(
    epci[["siren_epci", "nom", "geometry"]], tooltip=folium.GeoJsonTooltip(["nom"])
).add_to(m)
m.fit_bounds([[41.3, -5.2], [51.1, 9.6]])
st_folium(m, height=620, use_container_width=True, returned_objects=["last_object_clicked_tooltip"])
