"""The map legend, built from the specs of the layers actually drawn (so it always matches)."""

from __future__ import annotations

from html import escape

from branca.element import MacroElement
from jinja2 import Template

from layers.geojson import LayerSpec


def legend_html(specs: list[LayerSpec], attribution: str) -> str:
    """Return the legend's HTML: one entry per drawn layer (categories listed), escaped."""
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
                f'{escape(spec.kind_label)} : un disque chiffré regroupe les points proches '
                "(cliquer pour zoomer)</div>"
            )
    return (
        '<div class="atlas-legend" role="region" aria-label="Légende">'
        '<strong>Légende</strong>' + "".join(rows)
        + f'<div class="atlas-attribution">{escape(attribution)}</div></div>'
    )


def swatch_color(spec: LayerSpec) -> str:
    """The colour a reader sees: the fill of points, the outline of areas."""
    if spec.geometry == "point":
        return spec.style.get("fillColor", spec.style.get("color", "#000"))
    return spec.style.get("color", "#000")


def _row(spec: LayerSpec, color: str, label: str) -> str:
    shape = "50%" if spec.geometry == "point" else "2px"
    return (
        f'<div class="atlas-legend-row"><span class="atlas-swatch" style="background:'
        f'{escape(color)};border-radius:{shape}"></span>{escape(label)}</div>'
    )


class Legend(MacroElement):
    """A fixed legend box in the map's bottom-left corner."""

    _template = Template(
        "{% macro html(this, kwargs) %}{{ this.html }}"
        "<style>.atlas-legend{position:absolute;z-index:1000;left:10px;bottom:20px;"
        "background:#fff;padding:6px 10px;font:13px/1.5 sans-serif;color:#111;"
        "border:1px solid #999;border-radius:4px;max-width:280px}"
        ".atlas-swatch{display:inline-block;width:12px;height:12px;margin-right:6px;"
        "vertical-align:middle;border:1px solid #333}"
        ".atlas-attribution{margin-top:4px;font-size:11px;color:#333}"
        ".atlas-legend-note{font-size:11px;color:#333}"
        ".atlas-cluster{border-radius:50%;color:#fff;font:bold 12px sans-serif;"
        "text-align:center;border:2px solid #fff;box-shadow:0 0 0 1px #333;"
        "text-shadow:0 0 2px #000}</style>"
        "{% endmacro %}"
    )

    def __init__(self, specs: list[LayerSpec], attribution: str):
        super().__init__()
        self._name = "Legend"
        self.html = legend_html(specs, attribution)
