"""Every commune, drawn from the vector tiles, coloured by what the reader picks.

The tiles (build stage ``tiles``, layer ``communes``) carry per commune: ``code`` (INSEE),
``nom``, ``dep``, ``reg``, ``epci`` (SIREN or ""), ``pays`` (Pays / PETR id or ""), ``ti``
(TI of the current phase or ""), ``prog`` (the :data:`geodata.vocab.PROGRAMMES` keys it is
in, ``;``-joined), ``n_prog``, ``pop`` (-1 when unknown) and ``epci_c``, ``pays_c``,
``ti_c`` (the colour index of its EPCI, Pays, TI: neighbours differ, computed at build
time by :mod:`geodata.tiles.neighbours`). A colouring mode (:data:`MODES`) turns one of
them into a fill: in or out of one programme, the number of programmes, one colour of
:data:`QUALITATIVE` per EPCI / Pays / TI, or population classes whose breaks are computed
here from the communes frame (``population``). Every colour that means
something stands out from white at 3:1 at least (WCAG 1.4.11), as the other layers'.
No Streamlit.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pandas as pd

from geodata.numbers import fmt_int
from geodata.tiles.communes import COLOURED
from geodata.vocab import PROGRAMMES
from layers.tiles import AtlasTiles, TileSource, TileSpec

KIND_LABEL = "Commune"
LAYER = "communes"  # the tile layer
NONE_COLOR = "#f4f4f4"  # no programme, no grouping, unknown figure (map background: #ddd)
MEMBER_COLOR = "#D55E00"  # Okabe & Ito vermillion, 3.9:1 on white
# Sequential, light to dark, each at least 3.4:1 on white.
SEQUENTIAL = ("#4292c6", "#1a5493", "#5e3c99", "#2d004b")
POPULATION_COLORS = ("#5b8f2d", "#1f8a70", "#2171b5", "#3b3b8f", "#4a1c6e")
# Okabe & Ito, darkened where needed to 3:1 on white (layers.palette), plus two of other
# hues: seven hues that differ (one blue only: two blues side by side read as one). The
# build gives each EPCI / Pays / TI one of geodata.tiles.communes.GROUP_COLOURS indices.
QUALITATIVE = (
    "#9E6B00",
    "#2C7FB8",
    "#009E73",
    "#D55E00",
    "#A65D8A",
    "#5b8f2d",
    "#88419d",
)
BORDER = {"color": "#808080", "weight": 0.5, "opacity": 0.7, "fillOpacity": 0.85}
# Territory kind (geodata.territory.TERRITORY_KINDS) -> the tile attribute holding its code.
TERRITORY_FIELDS = {
    "commune": "code",
    "epci": "epci",
    "pays": "pays",
    "ti": "ti",
    "departement": "dep",
    "region": "reg",
}

# Programmes a commune can be in (a census is no programme).
MEMBER_PROGRAMMES = tuple(k for k, p in PROGRAMMES.items() if p.kind != "census")
GROUPINGS = {"epci": ("epci", "EPCI"), "pays": ("pays", "Pays / PETR")}
GROUPINGS["territoire"] = ("ti", "Territoire d'industrie")
COUNT_MODE = "nombre"
POPULATION_MODE = "population"
DEFAULT_MODE = COUNT_MODE
# mode (in ``?communes=``) -> French label of the select "Colorer les communes par".
MODES: dict[str, str] = {
    COUNT_MODE: "Nombre de programmes",
    **{key: PROGRAMMES[key].label for key in MEMBER_PROGRAMMES},
    **{mode: label for mode, (_, label) in GROUPINGS.items()},
    POPULATION_MODE: "Population",
}


def communes_layer(
    source: TileSource,
    mode: str = DEFAULT_MODE,
    *,
    departements: list[str] | None = None,
    highlight: str | None = None,
    territory: tuple[str, str] | None = None,
) -> AtlasTiles:
    """Draw every commune from the tiles, coloured by ``mode``.

    Parameters
    ----------
    source : TileSource
        The build's tile set (layer ``communes``) and the communes frame (``population``).
    mode : str
        A key of :data:`MODES`.
    departements : list of str, optional
        Draw only the communes of these départements (the others are not drawn at all).
    highlight : str, optional
        INSEE code of the commune drawn with a thick dark outline.
    territory : (kind, code), optional
        Draw only the communes of this territory (a kind of :data:`TERRITORY_FIELDS`, its
        code as :func:`geodata.territory.parse_territory_id` reads it: ``("ti", "ti-8408")``).

    Raises
    ------
    ValueError
        For a mode not in :data:`MODES` (listing them), a territory kind not in
        :data:`TERRITORY_FIELDS`, or a tile set without ``communes``.
    """
    if mode not in MODES:
        raise ValueError(f"unknown commune colouring {mode!r}; expected one of {list(MODES)}")
    info = source.tileset.layers.get(LAYER)
    if info is None:
        raise ValueError(
            f"tile set {source.tileset.folder} has no {LAYER!r} layer "
            f"(layers: {list(source.tileset.layers)}); rebuild with `atlas build`"
        )
    coloring, legend = coloring_of(mode, source.frame)
    filters = {"dep": list(departements)} if departements else {}
    if territory is not None:
        kind, code = territory
        if kind not in TERRITORY_FIELDS:
            raise ValueError(
                f"unknown territory kind {kind!r}; expected one of {list(TERRITORY_FIELDS)}"
            )
        filters[TERRITORY_FIELDS[kind]] = [code]
    spec = TileSpec(
        name=LAYER,
        kind_label=KIND_LABEL,
        url=source.tileset.url(LAYER),
        minzoom=info.minzoom,
        maxzoom=info.maxzoom,
        ranges=info.ranges,
        coloring=coloring,
        none_color=NONE_COLOR,
        style=dict(BORDER),
        colors=legend,
        filters=filters or None,
        highlight=highlight,
        mode=mode,
        compression=source.tileset.compression,
    )
    return AtlasTiles(spec)


def coloring_of(mode: str, frame: pd.DataFrame) -> tuple[dict, dict[str, str]]:
    """Return ``(coloring for atlas-tiles.js, legend rows)`` of a mode (see :class:`TileSpec`)."""
    if mode in MEMBER_PROGRAMMES:
        label = PROGRAMMES[mode].label
        return (
            {"by": "prog", "member": mode, "color": MEMBER_COLOR},
            {label: MEMBER_COLOR, f"hors {label}": NONE_COLOR},
        )
    if mode == COUNT_MODE:
        breaks = list(range(1, len(SEQUENTIAL) + 1))  # 0 | 1 | 2 | 3 | 4 or more
        rows = {"aucun programme": NONE_COLOR, "1 programme": SEQUENTIAL[0]}
        rows |= {f"{n} programmes": c for n, c in zip(breaks[1:-1], SEQUENTIAL[1:-1], strict=True)}
        rows[f"{breaks[-1]} programmes ou plus"] = SEQUENTIAL[-1]
        return {"by": "n_prog", "breaks": breaks, "classes": [NONE_COLOR, *SEQUENTIAL]}, rows
    if mode == POPULATION_MODE:
        breaks = population_breaks(frame["population"], len(POPULATION_COLORS))
        classes = list(POPULATION_COLORS[: len(breaks) + 1])
        rows = dict(zip(class_labels(breaks, "hab."), classes, strict=True))
        rows["population inconnue"] = NONE_COLOR
        return {"by": "pop", "breaks": breaks, "classes": classes}, rows
    prop, label = GROUPINGS[mode]
    swatch = "linear-gradient(90deg," + ",".join(QUALITATIVE[:5]) + ")"
    return (
        {"by": COLOURED[prop], "palette": list(QUALITATIVE)},
        {
            f"une couleur par {label}, jamais celle d'un voisin": swatch,
            f"sans {label}": NONE_COLOR,
        },
    )


def population_breaks(population: pd.Series, classes: int) -> list[int]:
    """Return ascending class breaks (quantiles of the known values, rounded to 2 digits).

    ``classes`` classes need ``classes - 1`` breaks; equal rounded quantiles merge, so
    fewer come back for a frame with few distinct values, none for an empty one.
    """
    known = pd.to_numeric(population, errors="coerce").dropna()
    known = known[known >= 0]
    if known.empty:
        return []
    qs = known.quantile([i / classes for i in range(1, classes)]).tolist()
    return sorted({nice(q) for q in qs if nice(q) > 0})


def nice(value: float) -> int:
    """Round a positive figure to two significant digits (1 234 -> 1 200; 87 -> 87)."""
    if value < 10:
        return max(1, round(value))
    step = 10 ** (int(math.log10(value)) - 1)
    return int(round(value / step) * step)


def class_labels(breaks: list[int], unit: str) -> list[str]:
    """Return the French label of each class of ``breaks`` ("moins de 500 hab."…)."""
    if not breaks:
        return [f"toutes ({unit})"]
    labels = [f"moins de {fmt_int(breaks[0])} {unit}"]
    labels += [f"{fmt_int(a)} à {fmt_int(b - 1)} {unit}" for a, b in pairwise(breaks)]
    return [*labels, f"{fmt_int(breaks[-1])} {unit} ou plus"]
