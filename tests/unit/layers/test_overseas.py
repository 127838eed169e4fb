"""Overseas quick-zoom buttons and the padded fit, on every map the atlas draws."""

from __future__ import annotations

import json
import re

from geodata.vocab import FRANCE_BOXES
from layers import overseas
from layers.compose import compose_map
from layers.geojson import InlineData
from layers.registry import MapView

LABELS = ["Métropole", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]


def test_the_buttons_are_metropole_then_the_five_drom_each_with_its_box():
    places = overseas.places()
    assert [p["label"] for p in places] == LABELS
    (south, west), (north, east) = places[4]["bounds"]
    x0, y0, x1, y1 = FRANCE_BOXES["La Réunion"]
    assert (south, west, north, east) == (y0, x0, y1, x1)
    assert all(s < n and w < e for (s, w), (n, e) in (p["bounds"] for p in places))


def test_every_dashboard_map_has_the_buttons_and_fits_its_extent_with_a_margin():
    bounds = [[45.93, 3.77], [46.28, 4.28]]  # Roannais Agglomération
    m, _, _ = compose_map({}, MapView(layers=(), bounds=bounds), InlineData())
    html = m.get_root().render()
    control = re.search(r"atlas\.overseasControl\((.*?)\)\.addTo", html).group(1)
    assert [p["label"] for p in json.loads(control)] == LABELS
    fit = re.search(r"atlas\.fitView\(map_\w+, (\[\[.*?\]\]), (\{.*?\})\);", html)
    assert json.loads(fit.group(1)) == bounds
    assert json.loads(fit.group(2))["padding"][0] >= 16
    assert "fitBounds(" not in html  # folium's own fit (no margin, no refit) is gone
    assert 'src="/app/static/atlas/atlas-layers.js"' in html
