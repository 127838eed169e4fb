"""Carte intégrable (``?embed=1``): the map alone, locked on the view of the URL.

No sidebar, no navigation, no widget: layers, filters and territory come from the
query string (:mod:`pages.viewstate`). A title line, a compact legend, the sources with
their vintages, a link to the same view in the full atlas and to the accessibility
statement, and the table twin of the features drawn (folded, so that the default
snippet height shows the page without a second scrollbar; a skip link leads to it).

The wheel scrolls the host page; Ctrl + wheel or the buttons zoom
(:func:`layers.accessibility.wheel_scrolls_page`). A click on a feature opens a popup
with a link to its fiche (:class:`layers.site.FichePopups`).
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from layers import communes
from layers import site as embed
from layers.accessibility import wheel_scrolls_page
from layers.compose import cap_notice, compose_map
from layers.legend import Legend, replace_legend
from pages.ui import accessibility, data, embed_panel, embedding, mapstate, viewstate
from pages.ui.markup import literal

MAP_HEIGHT = 440  # with the title, sources and the folded table: the 700 px snippet
TABLE_ANCHOR = "tableau-des-elements"

# Static CSS (no data): Streamlit's header and toolbar have no place in an iframe.
st.markdown(
    "<style>header[data-testid='stHeader'],[data-testid='stToolbar'],"
    "[data-testid='stSidebarCollapsedControl']{display:none}"
    ".block-container,[data-testid='stMainBlockContainer']{padding:0.5rem 1rem}"
    "h1{font-size:1.2rem!important;padding:0 0 .25rem!important}</style>"
    f'<a class="{accessibility.SKIP_CLASS}" href="#{TABLE_ANCHOR}">'
    "Aller au tableau des éléments de la carte</a>",
    unsafe_allow_html=True,
)

atlas = data.get_atlas()
view = viewstate.from_query(st.query_params.to_dict(), "aucun")
map_view = mapstate.map_view(atlas, view)
frames = data.map_layers()
selection = map_view.selection
if selection is not None and embedding.only_territory(st.query_params.to_dict()):
    # "Uniquement mon territoire" (&seul=1): the map draws the territory's features only.
    # GeoJSON frames are clipped to its outline, tile layers keep its features only.
    inside = selection.geometry.iloc[0]
    frames = {
        k: embed.clip(f, inside) if isinstance(f, gpd.GeoDataFrame) else f
        for k, f in frames.items()
    }
    if view.selection[0] in communes.TERRITORY_FIELDS:
        map_view = replace(map_view, territory=view.selection)
name = selection["name"].iloc[0] if selection is not None and "name" in selection else None
st.title(literal("Atlas des coopérations territoriales" + (f" — {name}" if name else "")))
m, drawn, missing = compose_map(frames, map_view, data.store())
replace_legend(m, Legend(drawn, embed.ATTRIBUTION, compact=True))
embed.FichePopups(embed_panel.app_url()).add_to(wheel_scrolls_page(m))
st_folium(m, key="embed", height=MAP_HEIGHT, use_container_width=True, returned_objects=[])
for key in missing:
    st.caption(f"Couche « {mapstate.LAYER_LABELS[key]} » non disponible sur cette carte.")
for spec in drawn:
    if spec.capped:
        st.caption(cap_notice(spec))
st.caption(
    literal(embed.attribution(atlas.report, view.layers))
    + " · Zoom : Ctrl + molette, ou les boutons + et −."
)
full = embedding.full_atlas_url(embed_panel.app_url(), view)
statement = embedding.base_url(embed_panel.app_url()).rstrip("/") + "/accessibilite"
st.markdown(f"[Ouvrir l'atlas complet]({full}) · [Accessibilité : déclaration]({statement})")

outline = selection.geometry.iloc[0] if selection is not None else None
table = embed.features_table(frames, drawn, atlas.communes, outline)
st.markdown(f'<div id="{TABLE_ANCHOR}" tabindex="-1"></div>', unsafe_allow_html=True)
with st.expander(f"Éléments affichés sur la carte : {len(table)} (tableau)"):
    if note := embed.not_listed([spec.name for spec in drawn]):
        st.caption(note)
    if len(table) <= 200:
        # st.table reads Markdown: every cell is escaped to show its text as written.
        st.table(table.map(literal).set_index("Nom"))
    else:
        st.dataframe(table, hide_index=True, width="stretch", height=320)
