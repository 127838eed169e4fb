"""The comparison page of a briefing (text blocks, map and chart) and the INSEE section.

:func:`comparison_blocks` lays out a :class:`geodata.briefing.compare.Comparison` as the
French text blocks the PDF and HTML renderers share (:mod:`geodata.briefing.document`);
:func:`comparison_images` draws its map (both outlines on one map, in the first
territory's metric CRS: Lambert-93, EPSG:2154, in metropolitan France) and its bar chart
(the rates of both sides) with matplotlib's object API, server-side. :func:`pdf_bytes` and
:func:`html_text` append the comparison to the briefing of the first territory.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geodata.atlas import Atlas
from geodata.briefing import pdf as briefing_pdf
from geodata.briefing.compare import Comparison, Side
from geodata.briefing.document import Block, Document, Table, document
from geodata.briefing.figures import credit, no_geometry_png, png_bytes
from geodata.briefing.indicators import limits_note
from geodata.briefing.model import Briefing
from geodata.model import indicators
from geodata.model.coverage import metric_crs
from geodata.vocab import CRS_METRIC

COLOURS = ("#12355b", "#e08a1e")  # first territory, second
MAX_CASES_LISTED = 30
CHART_KEYS = (
    "emplois_evol_an",
    "taux_chomage",
    "part_emplois_sal",
    "part_etab_industrie",
    "part_etab_construction",
    "part_etab_services",
    "part_etab_admin",
)
CHART_LABELS = {
    "emplois_evol_an": "Évolution annuelle des emplois 2013-2018 (%)",
    "taux_chomage": "Chômage des 15-64 ans 2018 (%)",
    "part_emplois_sal": "Part des emplois salariés 2018 (%)",
    "part_etab_industrie": "Établissements : industrie 2018 (%)",
    "part_etab_construction": "Établissements : construction 2018 (%)",
    "part_etab_services": "Établissements : commerce, services 2018 (%)",
    "part_etab_admin": "Établissements : administration 2018 (%)",
}


def comparison_blocks(comp: Comparison, number: str = "") -> list[Block]:
    """Return the comparison page: figures and difference, chart, map, programmes, why."""
    a, b = comp.a, comp.b
    name_a, name_b = comp.programmes.columns[1], comp.programmes.columns[2]
    head = f"{number} " if number else ""
    table = Table(
        ["Indicateur", "Source et année", name_a, name_b, f"Écart ({name_a} / {name_b})"],
        [
            [r["Indicateur"], r["Source"], r[name_a], r[name_b], r["Écart"]]
            for _, r in comp.table.iterrows()
        ],
        [3.2, 2.6, 2.4, 2.4, 1.6],
    )
    blocks = [
        Block("h2", f"{head}Comparaison : {a.name} et {b.name}"),
        Block(
            "p",
            f"{a.name} ({a.kind_label}, {a.ref.id}) comparé à {b.name} ({b.kind_label}, "
            f"{b.ref.id}). Écart : effectifs en % de {b.name}, taux en points.",
        ),
        Block("table", table=table),
        Block("note", limits_note()),
        Block("image", image="compare_chart"),
        Block("image", image="compare_map"),
        Block("h3", "Programmes et études de cas"),
        Block(
            "table",
            table=Table(
                list(comp.programmes.columns),
                [[str(v) for v in row] for row in comp.programmes.itertuples(index=False)],
                [4, 2, 2],
            ),
        ),
    ]
    for s in (a, b):
        names = list(s.cases["name"].astype(str))
        more = len(names) - MAX_CASES_LISTED
        text = " ; ".join(names[:MAX_CASES_LISTED]) + (f" ; et {more} autres" if more > 0 else "")
        blocks.append(Block("p", f"Études de cas — {s.name} ({len(names)}) : {text or 'aucune'}"))
    blocks.append(Block("h3", "Pourquoi comparer ces territoires"))
    if comp.reason:
        blocks.append(
            Block("p", f"Proposé par l'atlas comme territoire comparable : {comp.reason}.")
        )
    if comp.close:
        blocks.append(
            Block("p", "Chiffres proches (à 10 % ou 1 point) : " + " ; ".join(comp.close) + ".")
        )
    if not comp.reason and not comp.close:
        blocks.append(
            Block("note", "Aucun chiffre à moins de 10 % (ou d'un point) l'un de l'autre.")
        )
    return blocks


def comparison_images(atlas: Atlas, comp: Comparison) -> dict[str, bytes]:
    """PNG images of the comparison page: ``compare_map`` and ``compare_chart``."""
    return {"compare_map": map_png(atlas, comp), "compare_chart": chart_png(comp)}


def chart_png(comp: Comparison, *, size: tuple[float, float] = (7.0, 3.8), dpi: int = 150) -> bytes:
    """Draw the main rates of both territories as grouped bars, each labelled."""
    fig = Figure(figsize=size)
    ax = fig.add_axes((0.42, 0.12, 0.55, 0.76))
    y = np.arange(len(CHART_KEYS))
    for i, s in enumerate((comp.a, comp.b)):
        values = [_value(s.figures, k) for k in CHART_KEYS]
        pos = y - 0.2 + 0.4 * i
        ax.barh(
            pos,
            [0 if np.isnan(v) else v for v in values],
            height=0.38,
            color=COLOURS[i],
            label=s.name,
        )
        for yy, v in zip(pos, values, strict=True):
            text = "n. d." if np.isnan(v) else indicators.fmt_number(v, 1)
            ax.text(0 if np.isnan(v) else v, yy, f" {text}", va="center", fontsize=6.5)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_yticks(y, [CHART_LABELS[k] for k in CHART_KEYS], fontsize=7)
    ax.invert_yaxis()
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(
        f"{indicators.source_note()} — recensement 2018, établissements 2018", fontsize=6.5
    )
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.3, 1.0), ncol=2, frameon=False)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    return png_bytes(fig, dpi)


def _value(figures: pd.Series | None, key: str) -> float:
    if figures is None:
        return float("nan")
    value = figures.get(key)
    return float("nan") if value is None or pd.isna(value) else float(value)


def map_png(
    atlas: Atlas, comp: Comparison, *, size: tuple[float, float] = (7.0, 5.0), dpi: int = 130
) -> bytes:
    """Both territories on one map (France as a side: the first territory alone, noted)."""
    fig = Figure(figsize=size)
    ax = fig.add_axes((0, 0.08, 1, 0.92))
    ax.set_axis_off()
    sides = [
        (s, c) for s, c in zip((comp.a, comp.b), COLOURS, strict=True) if s.geometry is not None
    ]
    if not sides:
        return no_geometry_png(fig, ax, "Géométrie indisponible", dpi)
    deps = [d for s, _ in sides for d in _deps(atlas, s)]
    crs = (
        metric_crs(deps[0])
        if deps and all(metric_crs(d) == metric_crs(deps[0]) for d in deps)
        else CRS_METRIC
    )
    shapes = gpd.GeoSeries([s.geometry for s, _ in sides], crs="EPSG:4326").to_crs(crs)
    x0, y0, x1, y1 = shapes.total_bounds
    pad = max(x1 - x0, y1 - y0) * 0.08
    box = shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    window = gpd.GeoSeries([box], crs=crs).to_crs("EPSG:4326").iloc[0]
    context = atlas.departements[atlas.departements.intersects(window)]
    if not context.empty:
        context.to_crs(crs).plot(ax=ax, facecolor="#f2f2f2", edgecolor="#bdbdbd", linewidth=0.5)
    for (_, colour), geom in zip(sides, shapes, strict=True):
        gpd.GeoSeries([geom], crs=crs).plot(
            ax=ax, facecolor=colour, alpha=0.35, edgecolor=colour, linewidth=1.5
        )
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    handles = [Patch(facecolor=c, alpha=0.5, edgecolor=c, label=s.name) for s, c in sides]
    missing = [s.name for s in (comp.a, comp.b) if s.geometry is None]
    note = f" · non dessiné : {', '.join(missing)}" if missing else ""
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=7, frameon=False)
    credit(ax, crs, note)
    return png_bytes(fig, dpi)


def _deps(atlas: Atlas, s: Side) -> list[str]:
    if s.ref.kind == "departement":
        return [s.ref.code]
    com = atlas.communes
    point = s.geometry.representative_point()
    hit = com[com.geometry.contains(point)]
    return list(hit["insee_dep"][:1])


def _with_comparison(
    atlas: Atlas, b: Briefing, comp: Comparison, base_url: str
) -> tuple[Document, dict[str, bytes]]:
    doc = document(b, base_url)
    doc.blocks += comparison_blocks(comp)
    images = {**briefing_pdf.render_images(atlas, b), **comparison_images(atlas, comp)}
    return doc, images


def pdf_bytes(atlas: Atlas, b: Briefing, comp: Comparison, base_url: str = "") -> bytes:
    """Return the briefing of ``b`` followed by the comparison page, as an A4 PDF."""
    doc, images = _with_comparison(atlas, b, comp, base_url)
    return briefing_pdf.to_pdf(doc, images)


def html_text(atlas: Atlas, b: Briefing, comp: Comparison, base_url: str = "") -> str:
    """Return the briefing of ``b`` followed by the comparison page, as HTML."""
    doc, images = _with_comparison(atlas, b, comp, base_url)
    return briefing_pdf.to_html(doc, images)
