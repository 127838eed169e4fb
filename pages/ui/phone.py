"""Small screens (a 390 px phone): the map leaves room, the panel comes into view.

Static CSS and one static script (no data in either): on a narrow screen the map is at
most 55 % of the screen's height, Streamlit's tabs wrap instead of scrolling sideways,
and after a tap that opened a territory the page scrolls to the panel (stacked under the
map by Streamlit's columns).
"""

from __future__ import annotations

import streamlit as st

SCROLL = "defiler_vers_panneau"  # session key: scroll to the panel on this run
NARROW = 640  # px: Streamlit stacks its columns under this width

CSS = f"""<style>
.st-key-panneau {{ scroll-margin-top: 4rem; }}
@media (max-width: {NARROW}px) {{
  iframe[title="streamlit_folium.st_folium"] {{ height: 55vh !important; max-height: 55vh; }}
  [data-testid="stTabs"] [role="tablist"] {{
    display: flex; flex-wrap: wrap; overflow-x: visible; row-gap: 0.25rem; }}
  [data-testid="stTabs"] [role="tablist"] [role="tab"] {{ flex: 0 1 auto; }}
}}
</style>"""

SCROLL_SCRIPT = f"""<script>
(function () {{
  var doc = window.parent && window.parent.document ? window.parent.document : document;
  var win = doc.defaultView || window;
  if (win.innerWidth > {NARROW}) {{ return; }}
  var tries = 0;
  (function go() {{
    var panel = doc.querySelector(".st-key-panneau");
    if (panel) {{ panel.scrollIntoView({{ behavior: "smooth", block: "start" }}); return; }}
    if (tries++ < 20) {{ setTimeout(go, 100); }}
  }})();
}})();
</script>"""


def style() -> None:
    """Add the small-screen CSS to the page (the map, and the fiche's tabs)."""
    st.html(CSS)


def scroll_to_panel() -> None:
    """Scroll a narrow screen to the side panel once, after a tap opened it."""
    if st.session_state.pop(SCROLL, False):
        st.html(SCROLL_SCRIPT, unsafe_allow_javascript=True)
