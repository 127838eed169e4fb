"""Accessibility of the map frame (RGAA 4.1 / WCAG 2.1 AA): zoom, keyboard, language, wheel.

folium's Map template writes ``<meta name="viewport" content="…, maximum-scale=1.0,
user-scalable=no">`` in the head of the map's frame: a phone user cannot zoom the page
(WCAG 1.4.4, RGAA 10.4). :func:`fix_viewport` rewrites it once folium has rendered the map
(:class:`layers.assets.OfflineMap` calls it), so every map of the atlas is zoomable.

:class:`MapAccessibility` (on every :class:`~layers.assets.OfflineMap`):

- takes the drawn shapes out of the tab order: Chromium makes every SVG path with a
  tooltip a tab stop, so a keyboard user met thousands of them before the panel, the
  search or the table twin (RGAA 12.8); the keyboard's way to a territory is the search
  and the table twin, and the map's own controls (zoom, overseas buttons, legend) stay;
- shows focus to keyboard users only (``:focus-visible``, RGAA 10.7): a mouse click on a
  shape no longer draws a black rectangle around it;
- sets ``lang="fr"`` on the frame's document (RGAA 8.3).

:class:`CtrlWheelZoom` (the public embed): the mouse wheel scrolls the host page and
Ctrl + wheel zooms the map, so a visitor scrolling the host site is not caught by the map.
No Streamlit here.
"""

from __future__ import annotations

import re

from branca.element import Element, MacroElement
from folium import Map
from jinja2 import Template

ACCESSIBLE_VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
_VIEWPORT = re.compile(r'<meta\s+name="viewport"[^>]*>', re.IGNORECASE)
FOCUS_COLOR = "#0b57d0"  # 6.0:1 on white, 3:1 against the map's greys


def fix_viewport(m: Map) -> None:
    """Let the user zoom the map's frame: replace folium's viewport ``meta`` after rendering.

    folium renders a map's head into ``figure.header`` under the map's name; the
    ``maximum-scale=1.0, user-scalable=no`` it writes there is replaced by
    :data:`ACCESSIBLE_VIEWPORT`. Does nothing before the map is rendered.
    """
    header = m.get_root().header
    element = header._children.get(m.get_name())
    if element is None:
        return
    html = element.render()
    if _VIEWPORT.search(html):
        # Element() reads its text as a template, as folium's own header element does.
        header._children[m.get_name()] = Element(_VIEWPORT.sub(ACCESSIBLE_VIEWPORT, html))


class MapAccessibility(MacroElement):
    """Shapes out of the tab order, focus shown to keyboard users only, ``lang="fr"``."""

    _template = Template(
        "{% macro html(this, kwargs) %}<style>"
        ".leaflet-container :focus:not(:focus-visible),"
        ".leaflet-container:focus:not(:focus-visible){outline:none}"
        ".leaflet-container :focus-visible{outline:3px solid {{ this.color }};outline-offset:1px}"
        ".leaflet-container:focus-visible{outline:3px solid {{ this.color }};outline-offset:-3px}"
        "</style>{% endmacro %}\n"
        "{% macro script(this, kwargs) %}\n"
        "(function (map) {\n"
        '  document.documentElement.lang = "fr";\n'
        "  function untab(layer) {\n"
        "    var node = layer.getElement ? layer.getElement() : null;\n"
        '    if (node && node.tagName.toLowerCase() === "path") {'
        ' node.setAttribute("tabindex", "-1"); }\n'
        "  }\n"
        '  map.on("layeradd", function (e) { untab(e.layer); });\n'
        "  map.eachLayer(untab);\n"
        "})({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapAccessibility"
        self.color = FOCUS_COLOR


class CtrlWheelZoom(MacroElement):
    """The wheel scrolls the page; Ctrl + wheel zooms the map (Leaflet's wheel zoom is off).

    Add it to a map whose ``scroll_wheel_zoom`` option is False (:func:`wheel_scrolls_page`).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "(function (map) {\n"
        '  map.getContainer().addEventListener("wheel", function (e) {\n'
        "    if (!e.ctrlKey) { return; }\n"
        "    e.preventDefault();\n"
        "    var step = e.deltaY < 0 ? 1 : -1;\n"
        "    map.setZoomAround(map.mouseEventToContainerPoint(e), map.getZoom() + step);\n"
        "  }, { passive: false });\n"
        "})({{ this._parent.get_name() }});\n"
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "CtrlWheelZoom"


def wheel_scrolls_page(m: Map) -> Map:
    """Turn Leaflet's wheel zoom off on ``m`` and add :class:`CtrlWheelZoom`; return ``m``."""
    m.options["scroll_wheel_zoom"] = False
    CtrlWheelZoom().add_to(m)
    return m
