"""The map view as a URL query string: layers, filters, selection, basemap.

Pure Python (no Streamlit) so it is tested directly. Parsing never fails: unknown values
are dropped and listed in ``ViewState.ignored`` so the page can say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

LAYERS = ("epci", "pays", "ti", "acv", "pvd", "tiers_lieux", "clusters", "cases")
DEFAULT_LAYERS = ("epci", "cases")
BASEMAPS = ("aucun", "ign", "osm")
SELECTION_KINDS = ("commune", "epci", "pays", "ti", "case")
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
    ignored: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> dict[str, str]:
        """Return the query-string parameters (defaults left out, so links stay short)."""
        q = {
            "couches": ",".join(self.layers) if self.layers != DEFAULT_LAYERS else "",
            "reg": self.reg, "dep": self.dep,
            "prog": ",".join(self.programmes), "type": ",".join(self.kinds),
            "theme": ",".join(self.themes), "q": self.text,
            "sel": f"{self.selection[0]}:{self.selection[1]}" if self.selection else "",
            "fond": self.basemap if self.basemap != "aucun" else "",
        }
        return {k: v for k, v in q.items() if v}

    def with_selection(self, kind: str, ident: str) -> ViewState:
        """Return a copy selecting ``(kind, ident)``."""
        return replace(self, selection=(kind, ident))


def _codes(value: str, ignored: list[str], name: str) -> tuple[str, ...]:
    out = []
    for item in filter(None, (v.strip() for v in value.split(","))):
        (out if _SAFE.match(item) else ignored).append(item if _SAFE.match(item) else f"{name}={item}")
    return tuple(out)


def from_query(params: Mapping[str, str], default_basemap: str = "aucun") -> ViewState:
    """Parse query parameters into a :class:`ViewState`; never raises."""
    ignored: list[str] = []
    layers = DEFAULT_LAYERS
    if "couches" in params:
        asked = _codes(params["couches"], ignored, "couches")
        ignored += [f"couches={x}" for x in asked if x not in LAYERS]
        layers = tuple(x for x in asked if x in LAYERS)
    selection = None
    kind, _, ident = params.get("sel", "").partition(":")
    if kind in SELECTION_KINDS and _SAFE.match(ident):
        selection = (kind, ident)
    elif params.get("sel"):
        ignored.append(f"sel={params['sel']}")
    basemap = params.get("fond", default_basemap)
    if basemap not in BASEMAPS:
        ignored.append(f"fond={basemap}")
        basemap = default_basemap
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
        ignored=tuple(ignored),
    )


def _single(value: str, ignored: list[str], name: str) -> str:
    if value and not _SAFE.match(value):
        ignored.append(f"{name}={value}")
        return ""
    return value
