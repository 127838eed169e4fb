"""The map frame lets the user zoom, keeps shapes out of the tab order, speaks French."""

from __future__ import annotations

import re

import folium

from layers import acv, pays, tiers_lieux
from layers.accessibility import ACCESSIBLE_VIEWPORT, wheel_scrolls_page
from layers.assets import offline_map
from layers.palette import LAYER_COLORS
from layers.site import FichePopups, fiche_links

VIEWPORT_RE = re.compile(r'<meta name="viewport"[^>]*>')


def test_an_offline_map_lets_the_user_zoom_its_frame():
    html = offline_map(location=[46.2, 5.2], zoom_start=9).get_root().render()
    assert VIEWPORT_RE.findall(html) == [ACCESSIBLE_VIEWPORT]
    assert "user-scalable" not in html and "maximum-scale" not in html
    # folium's own map still forbids it: the fix is ours, not folium's.
    assert "user-scalable=no" in folium.Map(tiles=None).get_root().render()


def test_an_offline_map_takes_its_shapes_out_of_the_tab_order_and_speaks_french():
    html = offline_map().get_root().render()
    assert 'setAttribute("tabindex", "-1")' in html
    assert 'document.documentElement.lang = "fr"' in html
    assert ":focus:not(:focus-visible)" in html and ":focus-visible{outline:3px" in html


def test_the_embed_map_leaves_the_wheel_to_the_page_and_zooms_with_ctrl():
    m = wheel_scrolls_page(offline_map())
    html = m.get_root().render()
    assert re.search(r'"scrollWheelZoom": false', html)
    assert "if (!e.ctrlKey) { return; }" in html and "setZoomAround" in html


def test_popups_link_each_kind_of_feature_to_its_fiche():
    links = fiche_links("https://atlas.example.fr/carte?x=1")
    assert links["Étude de cas"] == "https://atlas.example.fr/carte/cas?cas="
    assert links["EPCI"] == "https://atlas.example.fr/carte/territoire?t="
    assert links["ACV"] == "https://atlas.example.fr/carte/territoire?t="  # its commune
    m = offline_map()
    FichePopups("https://atlas.example.fr/").add_to(m)
    html = m.get_root().render()
    assert "link.target = '_blank'" in html and "textContent = text.slice" in html
    assert "innerHTML" not in html[html.find("var pattern") :]  # names reach the DOM as text


def contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours."""

    def luminance(hex_color: str) -> float:
        rgb = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted([luminance(a), luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_layer_colour_stands_out_from_white_at_3_to_1():
    assert round(contrast("#777777", "#ffffff"), 1) == 4.5  # the formula, on a known value
    drawn = {
        **LAYER_COLORS,
        **{f"tiers_lieux.{k}": c for k, c in tiers_lieux.FAMILY_COLORS.items()},
        "acv.later_phase": acv.LATER_PHASE_COLOR,
        "pays.curated": pays.CURATED_COLOR,
    }
    low = {k: round(contrast(c, "#ffffff"), 2) for k, c in drawn.items()}
    assert {k: r for k, r in low.items() if r < 3} == {}
