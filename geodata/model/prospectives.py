"""Fabriques prospectives: the member territories of each ANCT foresight workshop.

Source: ANCT, ``fabriques_prospectives.csv`` (list of 2024, Licence Ouverte 2.0): one row
per (fabrique, member); a member is an EPCI SIREN, a commune (by its commune SIREN), an
EPT of the Grand Paris (see :mod:`geodata.groupements`) or a Territoire d'industrie by its
id (``ti-8408``, looked up in the 2023-2027 phase first, then 2018-2022).

The layer has one polygon per member row (the members of a fabrique lie far apart, and a
member may take part in several fabriques): the union of the member's communes, dissolved
on the clean commune coverage.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geodata.model import coverage
from geodata.model.reconcile import list_problem
from geodata.model.ti import ti_communes
from geodata.problems import Problem
from geodata.schema import POLYGONS, Schema, check_schema
from geodata.sources import groupements
from geodata.sources.anct import LINE
from geodata.vocab import CRS_DISPLAY

PROSPECTIVES = Schema(
    "fabriques_prospectives",
    {
        "id_fabp": "str",
        "lib_fabp": "str",
        "siren_groupement": "str",
        "lib_groupement": "str",
        "member_kind": "str",
        "n_communes": "int",
        "area_km2": "float",
    },
    POLYGONS,
)
TI_PREFIX = "ti-"


def build_prospectives(
    members: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    reference: pd.DataFrame,
    table: pd.DataFrame,
    ti: pd.DataFrame | None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Place each member of each fabrique prospective on its area.

    Parameters
    ----------
    members : DataFrame
        As read by :func:`geodata.anct.read_list`: ``line, id_fabp, lib_fabp,
        siren_groupement, lib_groupement``.
    communes, reference, table
        The base communes, :func:`geodata.datafrance.commune_reference`,
        :func:`geodata.groupements.read_table`.
    ti : DataFrame or None
        The ``ti`` layer (both phases), to resolve members given as a TI id.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        Schema :data:`PROSPECTIVES`, EPSG:4326, one row per placed member; and the member
        rows not placed (errors) and the non-EPCI members placed (info), ``dataset`` empty.

    Raises
    ------
    RuntimeError
        When a member row is neither placed nor reported (a bug).
    """
    is_ti = members["siren_groupement"].str.startswith(TI_PREFIX)
    mapping, notes, unplaced = groupements.resolve_members(
        members[~is_ti], communes, reference, table, group_col="id_fabp"
    )
    ti_map, ti_notes, ti_unplaced = _ti_members(members[is_ti], ti, communes)
    mapping = pd.concat([mapping, ti_map], ignore_index=True)
    notes, unplaced = notes + ti_notes, unplaced + ti_unplaced
    placed = mapping[LINE].nunique()
    if len(members) != placed + len(unplaced):
        raise RuntimeError(
            f"fabriques prospectives: {len(members)} rows but {placed} placed "
            f"+ {len(unplaced)} unplaced; this is a bug in geodata.prospectives"
        )
    layer = _member_polygons(members, mapping, communes)
    return check_schema(layer, PROSPECTIVES), unplaced + notes


def _ti_members(
    members: pd.DataFrame, ti: pd.DataFrame | None, communes: pd.DataFrame
) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """Members given as a TI id: the communes of that TI (2023-2027 phase first)."""
    rows, notes, unplaced = [], [], []
    membership = ti_communes(ti, communes) if ti is not None else None
    for m in members.itertuples(index=False):
        line, code = int(getattr(m, LINE)), m.siren_groupement
        found = pd.DataFrame() if membership is None else membership[membership["id_ti"] == code]
        if found.empty:
            why = (
                "les listes des Territoires d'industrie ne sont pas chargées"
                if ti is None
                else f"identifiant de Territoire d'industrie {code} absent des deux phases"
            )
            unplaced.append(
                list_problem(
                    line,
                    code,
                    "unplaced",
                    "",
                    why,
                    field="siren_groupement",
                    fix="charger les listes des Territoires d'industrie, "
                    "ou corriger l'identifiant du Territoire d'industrie",
                )
            )
            continue
        phase = max(found["phase"])  # "2023-2027" sorts after "2018-2022"
        codes = found.loc[found["phase"] == phase, "insee_com"]
        rows += [(line, m.id_fabp, code, "ti", c) for c in codes]
        notes.append(
            groupements.member_note(
                line,
                code,
                m.lib_groupement,
                "ti",
                f"Territoire d'industrie {code} ({phase}) : {len(codes)} communes",
                list(codes),
            )
        )
    return pd.DataFrame(rows, columns=groupements.MEMBER_COLUMNS), notes, unplaced


def _member_polygons(
    members: pd.DataFrame, mapping: pd.DataFrame, communes: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """One polygon per placed member row (key: the row's line)."""
    pairs = mapping[[LINE, "member_kind", "insee_com"]].drop_duplicates()
    com = communes.merge(pairs.assign(key=pairs[LINE].astype(str)), on="insee_com")
    stats = com.groupby(LINE).agg(
        member_kind=("member_kind", "first"),
        n_communes=("insee_com", "size"),
        area_km2=("area_km2", "sum"),
    )
    geoms = coverage.dissolve(com, "key")
    out = members.merge(stats, left_on=LINE, right_index=True, how="inner")
    out = out.assign(n_communes=out["n_communes"].astype("int64"))
    geometry = out[LINE].astype(str).map(geoms)
    cols = [*PROSPECTIVES.columns, LINE]
    return gpd.GeoDataFrame(
        out[cols].reset_index(drop=True), geometry=geometry.values, crs=CRS_DISPLAY
    )
