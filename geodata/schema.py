"""Declared schemas of the atlas's datasets and the one function that checks them.

Every loader checks its own output with :func:`check_schema`, so later code can trust
column names, dtypes, geometry types and CRS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd
from pandas.api import types as ptypes
from pyproj import CRS

from geodata.vocab import CRS_DISPLAY

_DTYPE_CHECKS = {
    "str": lambda s: ptypes.is_string_dtype(s) or ptypes.is_object_dtype(s),
    "int": ptypes.is_integer_dtype,
    "float": ptypes.is_float_dtype,
    "bool": ptypes.is_bool_dtype,
}


@dataclass(frozen=True)
class Schema:
    """Required columns (name -> "str" | "int" | "float" | "bool"), geometry types and CRS."""

    name: str
    columns: Mapping[str, str]
    geometry_types: tuple[str, ...] = ()
    crs: str | None = CRS_DISPLAY
    code_lengths: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def check_schema(df: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Check ``df`` against ``schema`` and return it unchanged.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        The dataset to check.
    schema : Schema
        Its declaration. When ``geometry_types`` is set, ``df`` must be a GeoDataFrame
        whose non-empty geometries are of those types, in ``schema.crs``.

    Raises
    ------
    ValueError
        Naming the dataset, the missing columns and those available; or the column whose
        dtype, code length, geometry type or CRS is wrong.
    """
    missing = [c for c in schema.columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{schema.name}: missing column(s) {missing}; available: {list(df.columns)}"
        )
    for col, kind in schema.columns.items():
        if not _DTYPE_CHECKS[kind](df[col]):
            raise ValueError(f"{schema.name}: column {col!r} should be {kind}, got {df[col].dtype}")
    for col, lengths in schema.code_lengths.items():
        bad = df[col].notna() & (df[col] != "") & ~df[col].str.len().isin(lengths)
        if bad.any():
            raise ValueError(
                f"{schema.name}: column {col!r} has codes not of length {lengths}, "
                f"e.g. {df.loc[bad, col].iloc[0]!r}; read codes with dtype=str"
            )
    if schema.geometry_types:
        _check_geometry(df, schema)
    return df


def is_crs(crs: CRS | None, wanted: str) -> bool:
    """Whether ``crs`` (a GeoDataFrame's, maybe None) is the CRS ``wanted`` ("EPSG:4326"…).

    ``CRS.equals`` rebuilds PROJ's object of both sides once per thread (pyproj keeps it in a
    thread-local), and Streamlit runs each rerun in a new thread: 20–50 ms a call. The
    answer is kept per CRS definition (its ``srs`` text) instead.
    """
    return crs is not None and _same_crs(crs.srs, wanted)


@lru_cache(maxsize=64)
def _same_crs(srs: str, wanted: str) -> bool:
    return CRS.from_user_input(srs).equals(wanted)


def _check_geometry(df: pd.DataFrame, schema: Schema) -> None:
    geom = getattr(df, "geometry", None)
    if geom is None or "geometry" not in df.columns:
        raise ValueError(f"{schema.name}: expected a GeoDataFrame with a 'geometry' column")
    if schema.crs is not None and not is_crs(df.crs, schema.crs):
        raise ValueError(f"{schema.name}: CRS should be {schema.crs}, got {df.crs}")
    present = set(geom[~geom.isna() & ~geom.is_empty].geom_type.unique())
    unexpected = present - set(schema.geometry_types)
    if unexpected:
        raise ValueError(
            f"{schema.name}: geometry types {sorted(unexpected)} not in {schema.geometry_types}"
        )


POLYGONS = ("Polygon", "MultiPolygon")

COMMUNES = Schema(
    "communes",
    {
        "insee_com": "str",
        "nom": "str",
        "population": "int",
        "siren_epci": "str",
        "insee_dep": "str",
        "insee_reg": "str",
        "area_km2": "float",
    },
    POLYGONS,
    code_lengths={"insee_com": (5,), "siren_epci": (9,), "insee_dep": (2, 3), "insee_reg": (2,)},
)
EPCI = Schema(
    "epci",
    {
        "siren_epci": "str",
        "nom": "str",
        "nature": "str",
        "population": "int",
        "n_communes": "int",
        "area_km2": "float",
        "insee_dep": "str",
    },
    POLYGONS,
    code_lengths={"siren_epci": (9,), "insee_dep": (2, 3)},
)
DEPARTEMENTS = Schema(
    "departements",
    {"code": "str", "nom": "str", "insee_reg": "str", "population": "int", "area_km2": "float"},
    POLYGONS,
    code_lengths={"code": (2, 3), "insee_reg": (2,)},
)
REGIONS = Schema(
    "regions",
    {"code": "str", "nom": "str", "population": "int", "area_km2": "float"},
    POLYGONS,
    code_lengths={"code": (2,)},
)
# Stage ``indicators`` (INSEE comparateur 2022): figures per territory, NaN = secret/missing.
INDICATORS = Schema(
    "territory_indicators",
    {
        "territory_type": "str",
        "territory_id": "str",
        "n_communes": "int",
        "pop_2018": "float",
        "emplois_2018": "float",
        "nm_emplois_2018": "int",
        "taux_chomage": "float",
        "revenu_median_2019": "float",
    },
    crs=None,
)
