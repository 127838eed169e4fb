"""Metropolitan France and the five DROM one click away, and the fit of the opening view.

The national view shows metropolitan France only; Guadeloupe (971), Martinique (972),
Guyane (973), La Réunion (974) and Mayotte (976) are reached by quick-zoom buttons, a
small Leaflet control drawn by ``atlas.overseasControl`` (``static/atlas/atlas-layers.js``).
The boxes are those of :data:`geodata.vocab.FRANCE_BOXES` (degrees, EPSG:4326).

:class:`FitView` replaces folium's ``fit_bounds``: a margin around the outline, and a
second fit once Streamlit has sized the map's iframe (else a selected territory opens
zoomed past its outline).
"""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from geodata.vocab import FRANCE_BOXES, FRANCE_VIEW, leaflet_bounds
from layers.geojson import ASSET_PREFIX, ATLAS_JS

DROM = ("Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte")
MAX_ZOOM = 12  # a commune still shows its neighbours


def places() -> list[dict[str, Any]]:
    """Return the buttons, in order: ``[{"label": "Métropole", "bounds": [[lat, lon], …]}, …]``."""
    boxes = [("Métropole", FRANCE_VIEW)] + [(name, FRANCE_BOXES[name]) for name in DROM]
    return [{"label": label, "bounds": leaflet_bounds(box)} for label, box in boxes]


class OverseasControl(JSCSSMixin, MacroElement):
    """The quick-zoom buttons (*Métropole, Guadeloupe, …, Mayotte*) on a folium map."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "atlas.overseasControl({{ this.places|tojson }}).addTo({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self, prefix: str = ASSET_PREFIX):
        super().__init__()
        self._name = "OverseasControl"
        self.places = places()
        self.default_js = [("atlas_layers", f"{prefix}/{ATLAS_JS}")]


class FitView(JSCSSMixin, MacroElement):
    """Fit the map on ``bounds`` (Leaflet ``[[lat, lon], [lat, lon]]``) with a margin."""

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "atlas.fitView({{ (this.map or this._parent).get_name() }}, {{ this.bounds|tojson }}, "
        "{{ this.options|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(
        self,
        bounds: list[list[float]],
        prefix: str = ASSET_PREFIX,
        max_zoom: int = MAX_ZOOM,
        padding: int = 24,
        map: MacroElement | None = None,
    ):
        super().__init__()
        self._name = "FitView"
        self.map = map  # the map it fits, when its parent is not the map (an overlay)
        self.bounds = [[float(v) for v in corner] for corner in bounds]
        self.options = {"padding": [padding, padding], "maxZoom": max_zoom}
        self.default_js = [("atlas_layers", f"{prefix}/{ATLAS_JS}")]
