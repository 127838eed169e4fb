"""Two territories side by side: INSEE figures with the difference, programmes, case studies.

A side is any territory of the atlas's one id syntax (:mod:`geodata.territory`: commune,
EPCI, Pays/PETR, TI, département, région) or France (``fr``, a comparison reference
only); ``region`` (or ``sa-region``) names the région holding most of the first
territory's population. The figures are those of the ``indicators`` build stage
(:mod:`geodata.model.indicators`: INSEE, comparateur de territoires 2022), each with its
source, edition and year; the programme counts those of the ``facts`` stage (the same as
the map's panel); the case studies those :func:`geodata.territory.describe` lists.

The difference is the first territory's figure against the second's: relative (%) for a
count, in points for a rate. Nothing here draws or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import shapely

from geodata import territory
from geodata.atlas import Atlas
from geodata.briefing.indicators import figures_of
from geodata.briefing.model import (
    BRIEFING_KINDS,
    PROGRAMMES,
    Briefing,
    close_matches,
    comparables,
    make_briefing,
)
from geodata.model import indicators
from geodata.model.facts import COUNTS

FRANCE_ID = "fr"
REGION_WORDS = ("region", "sa-region", "région", "sa-région", "sa région")
CLOSE_SHARE = 0.10  # a count within 10 % is "close"
CLOSE_POINTS = 1.0  # a rate within 1 point is "close"


@dataclass(frozen=True)
class Ref:
    """A side of a comparison: a territory (:class:`geodata.territory.TerritoryRef`) or France."""

    kind: str  # a territory kind, or "france"
    code: str

    @property
    def id(self) -> str:
        """The id of the atlas's syntax (``ti-8408``, ``reg-84``, ``fr``)."""
        return FRANCE_ID if self.kind == "france" else territory.territory_id(self.kind, self.code)


@dataclass
class Side:
    """What a comparison shows of one territory."""

    ref: Ref
    name: str
    kind_label: str
    figures: pd.Series | None  # row of the indicators table (None: not built / unknown)
    counts: dict[str, int]  # key of PROGRAMMES and "cases" -> count
    cases: pd.DataFrame  # id, name
    geometry: shapely.Geometry | None = None


@dataclass
class Comparison:
    """Two sides, the table of figures, the programmes and why they may be compared."""

    a: Side
    b: Side
    table: pd.DataFrame  # key, Indicateur, Source, <a>, <b>, Écart
    programmes: pd.DataFrame  # Programme, <a>, <b>
    reason: str = ""  # why the atlas proposed b as comparable to a ("" when it did not)
    close: list[str] = field(default_factory=list)  # figures within CLOSE_* of each other

    @property
    def title(self) -> str:
        """``A — B`` for headings."""
        return f"{self.a.name} — {self.b.name}"


def parse_reference(atlas: Atlas, text: str, base: Ref | None = None) -> Ref:
    """Read the second side: any territory id, ``fr`` (France) or ``region`` (``base``'s).

    Raises
    ------
    ValueError
        In French, naming the id and the closest ids, when it names no territory.
    """
    raw = str(text).strip()
    if raw.lower() in (FRANCE_ID, "france"):
        return Ref("france", FRANCE_ID)
    if raw.lower() in REGION_WORDS:
        if base is None:
            raise ValueError("« région » : donnez d'abord le territoire dont c'est la région")
        return region_of(atlas, base)
    try:
        ref = territory.parse_territory_id(raw)
    except ValueError as exc:
        raise ValueError(f"{exc} ; ou fr (France), region (sa région)") from None
    if territory.find(atlas, ref.kind, ref.code) is None:
        close = close_matches(atlas, raw, ref.kind)
        hint = f" ; les plus proches : {', '.join(close)}" if close else ""
        raise ValueError(f"aucun territoire n'a l'identifiant « {raw} »{hint}")
    return Ref(ref.kind, ref.code)


def region_of(atlas: Atlas, ref: Ref) -> Ref:
    """Return the région holding most of the territory's population (France: itself)."""
    if ref.kind in ("france", "region"):
        return ref
    codes = territory.commune_codes(atlas, ref.kind, ref.code)
    com = atlas.communes[atlas.communes["insee_com"].isin(codes)]
    if com.empty:
        raise ValueError(f"le territoire {ref.id} n'a pas de commune : pas de région")
    top = com.groupby("insee_reg")["population"].sum().sort_values(ascending=False)
    return Ref("region", str(top.index[0]))


def side_name(atlas: Atlas, ref: Ref) -> str:
    """Return the name of a side ("France" for ``fr``; the id when unknown)."""
    if ref.kind == "france":
        return "France"
    row = territory.find(atlas, ref.kind, ref.code)
    if row is None:
        return ref.id
    return str(row.get("nom", row.get("lib_ti", ref.id)))


def side(atlas: Atlas, ref: Ref) -> Side:
    """Describe one side (name, figures, programme counts, case studies, outline).

    The case studies are those counted in it (:meth:`geodata.atlas.Atlas.case_ids`, the
    one rule of the panel, the fiche and the briefing); France holds every placed one.
    """
    if ref.kind == "france":
        facts = atlas.territory_facts()
        regions = facts[facts["territory_type"] == "region"]
        counts = {k: int(regions[c].sum()) for k, c in COUNTS.items() if c in regions}
        figures = figures_of(atlas, "france", FRANCE_ID)
        return Side(ref, "France", "France entière", figures, counts, _cases(atlas), None)
    t = territory.describe(atlas, ref.kind, ref.code)
    if t is None:
        raise ValueError(f"aucun territoire n'a l'identifiant « {ref.id} »")
    counts = atlas.counts(ref.kind, ref.code) or {}
    shape = territory.outline(atlas, ref.kind, ref.code)
    return Side(
        ref,
        t.name,
        t.kind_label,
        figures_of(atlas, ref.kind, ref.code),
        {k: int(counts.get(k, 0)) for k in COUNTS},
        _cases(atlas, atlas.case_ids(ref.kind, ref.code)).reset_index(drop=True),
        None if shape is None else shape.geometry.iloc[0],
    )


def _cases(atlas: Atlas, ids: list[str] | None = None) -> pd.DataFrame:
    """Case studies ``id, name`` among ``ids`` (None: every placed one, for France)."""
    cases = atlas.get("cases")
    if cases is None:
        return pd.DataFrame(columns=["id", "name"])
    keep = cases["geometry"].notna() if ids is None else cases["id"].isin(ids)
    return pd.DataFrame(cases.loc[keep, ["id", "name"]])


def compare(atlas: Atlas, a: Ref, b: Ref, briefing: Briefing | None = None) -> Comparison:
    """Put two territories side by side.

    Parameters
    ----------
    atlas : Atlas
        The loaded build.
    a, b : Ref
        The two sides (:func:`parse_reference`).
    briefing : Briefing, optional
        ``a``'s briefing, when already made: its comparable territories say why ``b`` was
        proposed (``reason``).

    Returns
    -------
    Comparison
        ``table``: one row per indicator of :data:`geodata.model.indicators.INDICATORS`
        (``key``, ``Indicateur``, ``Source`` — source, edition and year —, the two
        figures as shown, ``Écart``: a against b); ``programmes``: count of each
        programme and of case studies on each side.
    """
    if briefing is None and a.kind in BRIEFING_KINDS:
        briefing = make_briefing(atlas, a.kind, a.code, radius_km=0)  # its comparables
    sa = side(atlas, a)
    # the same second side for every territory of a batch (--all-ti --compare region)
    sb = atlas.derived(f"compare.side.{b.id}", lambda: side(atlas, b))
    name_a, name_b = _column_names(sa, sb)
    table = pd.DataFrame(
        [
            {
                "key": ind.key,
                "Indicateur": ind.label,
                "Source": indicators.source_note(ind),
                name_a: indicators.value_text(ind, sa.figures),
                name_b: indicators.value_text(ind, sb.figures),
                "Écart": indicators.difference_text(ind, sa.figures, sb.figures),
            }
            for ind in indicators.INDICATORS
        ]
    )
    labels = {**{k: v[2] for k, v in PROGRAMMES.items()}, "cases": "Études de cas"}
    programmes = pd.DataFrame(
        {
            "Programme": list(labels.values()),
            name_a: [sa.counts.get(k, 0) for k in labels],
            name_b: [sb.counts.get(k, 0) for k in labels],
        }
    )
    return Comparison(
        sa, sb, table, programmes, _reason(atlas, a, b, briefing), close_figures(sa, sb)
    )


def _column_names(a: Side, b: Side) -> tuple[str, str]:
    if a.name != b.name:
        return a.name, b.name
    return f"{a.name} ({a.ref.id})", f"{b.name} ({b.ref.id})"


def _reason(atlas: Atlas, a: Ref, b: Ref, briefing: Briefing | None) -> str:
    if briefing is None or briefing.id != a.code or briefing.kind != a.kind:
        return ""
    peers = briefing.comparables if not briefing.comparables.empty else comparables(atlas, briefing)
    hit = peers[peers["id"] == b.code] if not peers.empty else peers
    return "" if hit.empty else str(hit.iloc[0]["reason"])


def close_figures(a: Side, b: Side) -> list[str]:
    """Figures of the two sides within 10 % (counts) or 1 point (rates) of each other."""
    out = []
    if a.figures is None or b.figures is None:
        return out
    for ind in indicators.INDICATORS:
        if ind.kind == "commune":
            continue
        va, vb = a.figures.get(ind.key), b.figures.get(ind.key)
        if va is None or vb is None or pd.isna(va) or pd.isna(vb) or not vb:
            continue
        near = (
            abs(va / vb - 1) <= CLOSE_SHARE if ind.kind == "count" else abs(va - vb) <= CLOSE_POINTS
        )
        if near:
            out.append(
                f"{indicators.with_year(ind.label, ind.year)} : "
                f"{indicators.value_text(ind, a.figures)} "
                f"contre {indicators.value_text(ind, b.figures)}"
            )
    return out
