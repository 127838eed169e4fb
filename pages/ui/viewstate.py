"""The map view as a URL query string: layers, filters, selection, basemap.

Pure Python (no Streamlit) so it is tested directly. Parsing never fails: unknown values
are dropped and listed in ``ViewState.ignored`` so the page can say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from geodata.territory import parse_territory_id, territory_id
from layers.communes import DEFAULT_MODE as DEFAULT_COMMUNES_MODE
from layers.communes import MODES as COMMUNES_MODES
from layers.registry import DEFAULT_LAYERS, LAYERS

BASEMAPS = ("aucun", "ign", "osm")
SELECTION_KINDS = ("commune", "epci", "pays", "ti", "departement", "region", "case")
_SAFE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


@dataclass(frozen=True)
class ViewState:
    """Everything a permalink reproduces."""

    layers: tuple[str, ...] = DEFAULT_LAYERS
    reg: str = ""
    dep: str = ""
    programmes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    text: str = ""
    selection: tuple[str, str] | None = None  # (kind, id)
    basemap: str = "aucun"
    communes: str = DEFAULT_COMMUNES_MODE  # colouring of the commune layer (layers.communes)
    ignored: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        """Return the query-string parameters (defaults left out, so links stay short)."""
        q = {
            "couches": (",".join(self.layers) or NO_LAYER) if self.layers != DEFAULT_LAYERS else "",
            "reg": self.reg,
            "dep": self.dep,
            "prog": ",".join(self.programmes),
            "type": ",".join(self.kinds),
            "theme": ",".join(self.themes),
            "q": self.text,
            "sel": selection_param(*self.selection) if self.selection else "",
            "fond": self.basemap if self.basemap != "aucun" else "",
            "communes": self.communes if self.communes != DEFAULT_COMMUNES_MODE else "",
        }
        return {k: v for k, v in q.items() if v}

    def with_selection(self, kind: str, ident: str) -> ViewState:
        """Return a copy selecting ``(kind, ident)``."""
        return replace(self, selection=(kind, ident))


def selection_param(kind: str, ident: str) -> str:
    """Return the ``sel`` value of a selection: the territory's id, or ``case:<id>``.

    A territory is written as every command and URL names it (``200035731``,
    ``ti-8408``; see :mod:`geodata.territory`); a case study, which is no territory, as
    ``case:<id>``.
    """
    return f"case:{ident}" if kind == "case" else territory_id(kind, ident)


def parse_selection(value: str) -> tuple[str, str] | None:
    """Read a ``sel`` value: a territory id (or an alias) or ``case:<id>``; None if neither."""
    kind, sep, ident = value.partition(":")
    if sep and kind == "case":
        return ("case", ident) if _SAFE.match(ident) else None
    try:
        ref = parse_territory_id(value)
    except ValueError:
        return None
    return (ref.kind, ref.code) if ref.kind in SELECTION_KINDS else None


def _codes(value: str, ignored: list[str], name: str) -> tuple[str, ...]:
    out = []
    for item in filter(None, (v.strip() for v in value.split(","))):
        (out if _SAFE.match(item) else ignored).append(
            item if _SAFE.match(item) else f"{name}={item}"
        )
    return tuple(out)


NO_LAYER = "aucune"  # couches=aucune: every layer turned off (an empty value is dropped)


def from_query(params: Mapping[str, str], default_basemap: str = "aucun") -> ViewState:
    """Parse query parameters into a :class:`ViewState`; never raises."""
    ignored: list[str] = []
    layers = DEFAULT_LAYERS
    if params.get("couches") == NO_LAYER:
        layers = ()
    elif "couches" in params:
        asked = _codes(params["couches"], ignored, "couches")
        ignored += [f"couches={x}" for x in asked if x not in LAYERS]
        layers = tuple(x for x in asked if x in LAYERS)
    selection = parse_selection(params.get("sel", ""))
    if selection is None and params.get("sel"):
        ignored.append(f"sel={params['sel']}")
    basemap = params.get("fond", default_basemap)
    if basemap not in BASEMAPS:
        ignored.append(f"fond={basemap}")
        basemap = default_basemap
    communes = params.get("communes", DEFAULT_COMMUNES_MODE)
    if communes not in COMMUNES_MODES:
        ignored.append(f"communes={communes}")
        communes = DEFAULT_COMMUNES_MODE
    return ViewState(
        layers=layers,
        reg=_single(params.get("reg", ""), ignored, "reg"),
        dep=_single(params.get("dep", ""), ignored, "dep"),
        programmes=_codes(params.get("prog", ""), ignored, "prog"),
        kinds=_codes(params.get("type", ""), ignored, "type"),
        themes=tuple(t.strip() for t in params.get("theme", "").split(",") if t.strip())[:20],
        text=params.get("q", "")[:200],
        selection=selection,
        basemap=basemap,
        communes=communes,
        ignored=tuple(ignored),
    )


def _single(value: str, ignored: list[str], name: str) -> str:
    if value and not _SAFE.match(value):
        ignored.append(f"{name}={value}")
        return ""
    return value
