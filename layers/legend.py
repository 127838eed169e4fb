"""The map legend, built from the specs of the layers actually drawn (so it always matches).

The legend folds (``<details>``/``<summary>``: a real button for the keyboard and screen
readers); it opens unfolded on a wide map and folded on a narrow one (a phone), where it
would hide the map.
"""

from __future__ import annotations

from html import escape

from branca.element import Element, MacroElement
from jinja2 import Template

from layers.geojson import LayerSpec

NARROW = 600  # px: a map narrower than this opens with its legend folded


def legend_html(specs: list[LayerSpec], attribution: str, compact: bool = False) -> str:
    """Return the legend's HTML: one entry per drawn layer (categories listed), escaped.

    ``compact`` (the public embed): a box that folds (``<details>``), categories under
    their layer without repeating its name, no note on clusters, smaller type.
    """
    if compact:
        return _compact_html(specs, attribution)
    rows = []
    for spec in specs:
        if spec.colors:
            for label, color in spec.colors.items():
                rows.append(_row(spec, color, f"{spec.kind_label} : {label}"))
        else:
            rows.append(_row(spec, swatch_color(spec), spec.kind_label))
        if spec.cluster:
            rows.append(
                '<div class="atlas-legend-row atlas-legend-note">'
                f"{escape(spec.kind_label)} : un disque chiffré regroupe les points proches "
                "(cliquer pour zoomer)</div>"
            )
    return (
        '<details open class="atlas-legend" role="region" aria-label="Légende">'
        "<summary>Légende</summary>"
        + "".join(rows)
        + f'<div class="atlas-attribution">{escape(attribution)}</div></details>'
    )


def _compact_html(specs: list[LayerSpec], attribution: str) -> str:
    rows = []
    for spec in specs:
        if spec.colors:
            rows.append(f'<div class="atlas-legend-row">{escape(spec.kind_label)}</div>')
            rows += [
                _row(spec, color, label).replace(
                    "atlas-legend-row", "atlas-legend-row atlas-legend-sub"
                )
                for label, color in spec.colors.items()
            ]
        else:
            rows.append(_row(spec, swatch_color(spec), spec.kind_label))
    return (
        '<details open class="atlas-legend atlas-legend-compact" role="region" '
        'aria-label="Légende"><summary>Légende</summary>'
        + "".join(rows)
        + f'<div class="atlas-attribution">{escape(attribution)}</div></details>'
    )


def swatch_color(spec: LayerSpec) -> str:
    """Return the colour a reader sees: the fill of points, the outline of areas."""
    if spec.geometry == "point":
        return spec.style.get("fillColor", spec.style.get("color", "#000"))
    return spec.style.get("color", "#000")


def _row(spec: LayerSpec, color: str, label: str) -> str:
    shape = "50%" if spec.geometry == "point" else "2px"
    return (
        f'<div class="atlas-legend-row"><span class="atlas-swatch" style="background:'
        f'{escape(color)};border-radius:{shape}"></span>{escape(label)}</div>'
    )


STYLE = (
    "<style>.atlas-legend{position:absolute;z-index:1000;left:10px;bottom:20px;"
    "background:#fff;padding:6px 10px;font:13px/1.5 sans-serif;color:#111;"
    "border:1px solid #999;border-radius:4px;max-width:280px}"
    ".atlas-swatch{display:inline-block;width:12px;height:12px;margin-right:6px;"
    "vertical-align:middle;border:1px solid #333}"
    ".atlas-attribution{margin-top:4px;font-size:11px;color:#333}"
    ".atlas-legend-note{font-size:11px;color:#333}"
    ".atlas-legend-compact{font-size:11px;line-height:1.4;padding:4px 8px;max-width:220px}"
    ".atlas-legend{max-height:calc(100% - 40px);overflow-y:auto;box-sizing:border-box}"
    ".atlas-legend summary{font-weight:bold;cursor:pointer}"
    ".atlas-legend summary:focus-visible{outline:2px solid #0072B2;outline-offset:2px}"
    ".atlas-legend:not([open]){padding:2px 8px}"
    ".atlas-legend-sub{padding-left:10px}"
    ".atlas-cluster{border-radius:50%;color:#fff;font:bold 12px sans-serif;"
    "text-align:center;border:2px solid #fff;box-shadow:0 0 0 1px #333;"
    "text-shadow:0 0 2px #000}</style>"
)


class Legend(MacroElement):
    """A fixed legend box in the map's bottom-left corner."""

    _template = Template(
        "{% macro html(this, kwargs) %}{{ this.html }}{{ this.style }}{% endmacro %}"
        "{% macro script(this, kwargs) %}\n"
        "if (window.matchMedia('(max-width: {{ this.narrow }}px)').matches) {\n"
        "  document.querySelectorAll('details.atlas-legend').forEach(function (d) {\n"
        "    d.open = false; });\n"
        "}\n"
        "{% endmacro %}"
    )
    narrow = NARROW
    style = STYLE

    def __init__(self, specs: list[LayerSpec], attribution: str, compact: bool = False):
        super().__init__()
        self._name = "Legend"
        self.html = legend_html(specs, attribution, compact)


class LegendStyle(MacroElement):
    """The legend's style sheet alone, for a map whose legend is a :class:`LiveLegend`."""

    _template = Template("{% macro html(this, kwargs) %}{{ this.style }}{% endmacro %}")
    style = STYLE

    def __init__(self):
        super().__init__()
        self._name = "LegendStyle"


class LiveLegend(MacroElement):
    """The legend of a map redrawn in place: set by script (``atlas.setLegend``) each redraw.

    ``map`` is the folium map it belongs to (its parent is the redrawn overlay). The map
    needs a :class:`LegendStyle`.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "atlas.setLegend({{ this.map.get_name() }}, {{ this.html|tojson }}, {{ this.narrow }});\n"
        "{% endmacro %}"
    )
    narrow = NARROW

    def __init__(self, specs: list[LayerSpec], attribution: str, map: MacroElement):
        super().__init__()
        self._name = "LiveLegend"
        self.html = legend_html(specs, attribution)
        self.map = map


def replace_legend(m: Element, legend: Legend) -> None:
    """Put ``legend`` on map ``m`` in place of the one ``compose_map`` added."""
    for name, child in list(m._children.items()):
        if isinstance(child, Legend):
            del m._children[name]
    legend.add_to(m)
