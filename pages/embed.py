"""Carte intégrable (``?embed=1``): the map alone, locked on the view of the URL.

No sidebar, no navigation, no widget: layers, filters and territory come from the
query string (:mod:`pages.viewstate`). A compact legend, the sources with their vintages,
a link to the same view in the full atlas, and the table twin of the features drawn.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from layers import site as embed
from layers.compose import cap_notice, compose_map
from layers.legend import Legend, replace_legend
from pages.ui import data, embed_panel, embedding, mapstate, viewstate
from pages.ui.markup import literal

# Static CSS (no data): Streamlit's header and toolbar have no place in an iframe.
st.markdown(
    "<style>header[data-testid='stHeader'],[data-testid='stToolbar'],"
    "[data-testid='stSidebarCollapsedControl']{display:none}"
    ".block-container,[data-testid='stMainBlockContainer']{padding:0.5rem 1rem}</style>",
    unsafe_allow_html=True,
)

atlas = data.get_atlas()
view = viewstate.from_query(st.query_params.to_dict(), "aucun")
map_view = mapstate.map_view(atlas, view)
frames = data.map_layers()
m, drawn, missing = compose_map(frames, map_view, data.store())
replace_legend(m, Legend(drawn, embed.ATTRIBUTION, compact=True))
st_folium(m, key="embed", height=480, use_container_width=True, returned_objects=[])
for key in missing:
    st.caption(f"Couche « {mapstate.LAYER_LABELS[key]} » non disponible sur cette carte.")
for spec in drawn:
    if spec.capped:
        st.caption(cap_notice(spec))
st.caption(literal(embed.attribution(atlas.report, view.layers)))
st.markdown(f"[Ouvrir l'atlas complet]({embedding.full_atlas_url(embed_panel.app_url(), view)})")

outline = map_view.selection.geometry.iloc[0] if map_view.selection is not None else None
table = embed.features_table(frames, drawn, atlas.communes, outline)
st.markdown(f"**Éléments affichés sur la carte : {len(table)}**")
if len(table) <= 200:
    # st.table reads Markdown: every cell is escaped to show its text as written.
    st.table(table.map(literal).set_index("Nom"))
else:
    st.dataframe(table, hide_index=True, width="stretch", height=320)
