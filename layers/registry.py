"""Every map layer, declared once: key, French label, colour, how it is drawn, from what.

The sidebar and the URL view (the keys and labels), the map (:mod:`layers.compose`), its
legend and the static export (:mod:`layers.site`) all read this registry; the map and the
export pick each layer's data with the same :func:`layer_frames`. Adding a map layer is
one entry here (and its module in ``layers/``). Data come from the atlas build, EPSG:4326.

A layer drawn from vector tiles (``tiles``: the tile layer's name, see :mod:`layers.tiles`)
sits beside the GeoJSON ones: :func:`layer_frames` gives it a :class:`~layers.tiles.TileSource`
(the build's tile set and its attribute frame) instead of a GeoDataFrame, or None when the
build has no such tiles; its draw returns an :class:`~layers.tiles.AtlasTiles`. The static
export copies its tiles; the table twins do not list its features (:data:`TILE_LAYERS`).
No Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd

from geodata.atlas import Atlas
from geodata.vocab import (
    PROGRAMMES,
    TI_CURRENT_PHASE,
    TIERS_LIEUX,
    TIERS_LIEUX_FAMILIES,
    TIERS_LIEUX_LABEL,
)
from layers import acv, cases, communes, epci, pays, pvd, ti, tiers_lieux
from layers.geojson import AtlasGeoJson, DataStore
from layers.palette import LAYER_COLORS
from layers.tiles import AtlasTiles, TileSource, find_tileset


@dataclass(frozen=True)
class MapView:
    """What to draw: layer keys in drawing order, filters and the selected feature."""

    layers: tuple[str, ...]
    departements: list[str] | None = None  # None: no geographic filter
    ti_ids: list[str] | None = None
    pays_ids: list[str] | None = None
    kinds: list[str] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    text: str = ""
    highlight: dict[str, str] = field(default_factory=dict)  # selection kind -> id
    bounds: list[list[float]] | None = None
    selection: gpd.GeoDataFrame | None = None  # outline of the selected territory
    basemap: str = "aucun"
    ti_phase: str = TI_CURRENT_PHASE
    scope: gpd.GeoDataFrame | None = None  # outline of the chosen région or département
    # What placed the map (selection, scope): while it stays the same, a redraw keeps the
    # reader's centre and zoom (layers or filters changed); "" always fits ``bounds``.
    fit_key: str = ""
    communes_mode: str = communes.DEFAULT_MODE  # colouring of the commune layer
    # (kind, code): tile layers draw only this territory's features ("Uniquement mon
    # territoire", a static export of one territory); GeoJSON frames are clipped instead.
    territory: tuple[str, str] | None = None


# (frame or tile source, store, view) -> the folium layer
Draw = Callable[[Any, DataStore, MapView], AtlasGeoJson | AtlasTiles]


@dataclass(frozen=True)
class MapLayer:
    """One map layer: its names, how a view draws it, and from which built frames."""

    key: str  # in URLs (``couches=``), the export's ``--layers`` and the data file names
    label: str  # French, in the sidebar and the messages about the layer
    kind_label: str  # French, in tooltips and the legend (the layer module's KIND_LABEL)
    draw: Draw  # the layer module's public function, given the view's filters
    frames: tuple[str, ...]  # built frames (:meth:`Atlas.frame` names): the first built
    selects: str  # the territory kind a click on one of its features selects
    lists: tuple[str, ...] = ()  # ANCT lists (anct.CATALOGUE) whose vintage is cited
    # adds the display columns the layer draws (tooltip label…), so the map and its table
    # twin read the same columns; None: the built frame as is
    prepare: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] | None = None
    tiles: str | None = None  # drawn from this layer of the build's vector tiles

    @property
    def color(self) -> str:
        """The layer's colour (:data:`layers.palette.LAYER_COLORS`)."""
        return LAYER_COLORS[self.key]


def _lists(*programmes: str) -> tuple[str, ...]:
    return tuple(name for key in programmes for name in PROGRAMMES[key].lists)


REGISTRY: dict[str, MapLayer] = {
    layer.key: layer
    for layer in (
        # Under every other layer (tile pane); colour chosen by the reader (view.communes_mode).
        MapLayer(
            "communes",
            "Communes",
            communes.KIND_LABEL,
            lambda src, s, v: communes.communes_layer(
                src,
                v.communes_mode,
                departements=v.departements,
                highlight=v.highlight.get("commune"),
                territory=v.territory,
            ),
            ("communes",),
            "commune",
            lists=_lists(*communes.MEMBER_PROGRAMMES),  # the programmes it colours by
            tiles=communes.LAYER,
        ),
        MapLayer(
            "epci",
            "Intercommunalités (EPCI)",
            epci.KIND_LABEL,
            lambda g, s, v: epci.epci_layer(
                g, s, departements=v.departements, highlight=v.highlight.get("epci")
            ),
            ("epci",),
            "epci",
        ),
        # The Pays of the documents and the national PETR of BANATIC (atlas "pays" holds both).
        MapLayer(
            "pays",
            "Pays / PETR",
            pays.KIND_LABEL,
            lambda g, s, v: pays.pays_layer(
                g, s, ids=v.pays_ids, highlight=v.highlight.get("pays")
            ),
            ("pays",),
            "pays",
            prepare=pays.with_origin,
        ),
        MapLayer(
            "ti",
            PROGRAMMES["ti"].label,
            ti.KIND_LABEL,
            lambda g, s, v: ti.ti_layer(
                g, s, phase=v.ti_phase, ids=v.ti_ids, highlight=v.highlight.get("ti")
            ),
            ("ti_simplified", "ti"),
            "ti",
            PROGRAMMES["ti"].lists[:1],
        ),  # current phase
        MapLayer(
            "acv",
            PROGRAMMES["acv"].label,
            acv.KIND_LABEL,
            lambda g, s, v: acv.acv_layer(g, s, departements=v.departements),
            ("acv",),
            "commune",
            _lists("acv"),
        ),
        MapLayer(
            "pvd",
            PROGRAMMES["pvd"].label,
            pvd.KIND_LABEL,
            lambda g, s, v: pvd.pvd_layer(g, s, departements=v.departements),
            ("pvd",),
            "commune",
            _lists("pvd"),
        ),
        MapLayer(
            TIERS_LIEUX,
            TIERS_LIEUX_LABEL,
            tiers_lieux.KIND_LABEL,
            lambda g, s, v: tiers_lieux.tiers_lieux_layer(g, s, departements=v.departements),
            (TIERS_LIEUX,),
            "commune",
            _lists(*TIERS_LIEUX_FAMILIES),
        ),
        MapLayer(
            "clusters",
            "Clusters, pôles, grappes",
            cases.CLUSTER_LABEL,
            lambda g, s, v: cases.cases_layer(
                g, s, departements=v.departements, themes=v.themes, text=v.text, clusters_only=True
            ),
            ("clusters",),
            "case",
        ),
        MapLayer(
            "cases",
            "Études de cas",
            cases.KIND_LABEL,
            lambda g, s, v: cases.cases_layer(
                g,
                s,
                departements=v.departements,
                kinds=v.kinds,
                programmes=v.programmes,
                themes=v.themes,
                text=v.text,
                highlight=v.highlight.get("case"),
            ),
            ("cases",),
            "case",
        ),
    )
}
LAYERS = tuple(REGISTRY)  # every layer key, in the sidebar's order
DEFAULT_LAYERS = ("epci", "cases")
# Layers drawn from vector tiles: the table twins (``?embed=1``, ``atlas embed``) do not
# list their features (tens of thousands of communes), and say so.
TILE_LAYERS = tuple(key for key, layer in REGISTRY.items() if layer.tiles)


def layer_frames(atlas: Atlas) -> dict[str, gpd.GeoDataFrame | TileSource | None]:
    """Return the frame each map layer draws, by key (None when none of its frames is built).

    The map page and the static export both draw these, so they show the same data. A
    tile layer gets a :class:`~layers.tiles.TileSource`: the tile set of the atlas's build
    directory (``<build>/tiles``) and its frame; None when the build has no such tiles.
    """
    out: dict[str, gpd.GeoDataFrame | TileSource | None] = {}
    for key, layer in REGISTRY.items():
        built = (atlas.frame(name) for name in layer.frames)
        frame = next((frame for frame in built if frame is not None), None)
        out[key] = layer.prepare(frame) if frame is not None and layer.prepare else frame
        if layer.tiles:
            tileset = find_tileset(atlas.out, layer.tiles)
            out[key] = TileSource(tileset, frame) if tileset and frame is not None else None
    return out


def draw_layer(
    key: str, gdf: gpd.GeoDataFrame | TileSource, store: DataStore, view: MapView
) -> AtlasGeoJson | AtlasTiles:
    """Draw layer ``key`` with the filters of ``view``.

    Raises
    ------
    ValueError
        For a key that is not in :data:`REGISTRY`, listing the known ones.

    """
    if key not in REGISTRY:
        raise ValueError(f"unknown layer {key!r}; expected one of {list(REGISTRY)}")
    return REGISTRY[key].draw(gdf, store, view)
