"""Data exports of a briefing's selection: CSV, GeoJSON and GeoPackage.

Two tables: the territory's communes with their programme flags and counts (and their
INSEE figures, :mod:`geodata.model.indicators`, when the build has them), and the case
studies inside and nearby (one point each: the case's own point, or a point inside the
commune, EPCI or Pays it is placed on). When the build has the INSEE figures, a third
table, ``territoire``, gives the territory's outline and its figures (counts summed over
its communes, ``nm_<col>`` members without value, ratios recomputed from the sums; NaN =
secret or not available, never 0). Geometries are EPSG:4326 by default; ``metric=True``
gives the briefing's metric CRS (Lambert-93, EPSG:2154, in metropolitan France; the
official UTM projection overseas, where Lambert-93 is not defined). No personal data:
organisations only, no contact columns.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.atlas import Atlas
from geodata.briefing.figures import numbered_cases
from geodata.briefing.indicators import indicator_table
from geodata.briefing.model import PROGRAMMES, TOWN_PROGRAMMES, Briefing, fiche_url, shared
from geodata.sources import insee
from geodata.tables import to_csv_bytes
from geodata.territory import territory_id

COMMUNES_LAYER, CASES_LAYER = "communes", "etudes_de_cas"
TERRITORY_LAYER = "territoire"  # the territory's outline and INSEE figures (when built)
SOURCE = f"{insee.DATASET} ({insee.VINTAGE})"


def selection(
    atlas: Atlas, b: Briefing, metric: bool = False, base_url: str = ""
) -> dict[str, gpd.GeoDataFrame]:
    """Return the briefing's communes and case studies as GeoDataFrames.

    Returns
    -------
    dict
        ``communes``: ``insee_com, nom, population, siren_epci, nom_epci, insee_dep,
        area_km2``, booleans ``acv, pvd, villages_avenir``, counts ``n_fabriques,
        n_manufactures, n_france_services, n_tiers_lieux_2019``, polygons;
        ``etudes_de_cas``: ``n`` (number on the map), ``id, name, types, theme, lieu,
        placement, dans_territoire, distance_km, fiche, lon, lat``, points. CRS
        EPSG:4326, or ``b.metric_crs`` when ``metric``.
    """
    crs = b.metric_crs if metric else "EPSG:4326"
    out = {
        COMMUNES_LAYER: _with_indicators(atlas, _communes(atlas, b)).to_crs(crs),
        CASES_LAYER: _cases(atlas, b, base_url).to_crs(crs),
    }
    if b.indicators is not None and b.geometry is not None:
        out[TERRITORY_LAYER] = _territory(b).to_crs(crs)
    return out


def indicator_columns(table: pd.DataFrame) -> list[str]:
    """Return the INSEE columns exported: counts, members without value, ratios."""
    return [c for c in table.columns if c not in ("territory_type", "territory_id")]


def _with_indicators(atlas: Atlas, communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add each commune's INSEE figures (NaN = secret or not available; none when not built)."""
    table = indicator_table(atlas)
    if table is None:
        return communes
    rows = table[table["territory_type"] == "commune"].set_index("territory_id")
    columns = [
        c
        for c in indicator_columns(table)
        if c != "n_communes" and not c.startswith("nm_")  # a commune has its figure or not
    ]
    figures = rows[columns].reindex(communes["insee_com"].values)
    out = communes.copy()
    for col in columns:
        out[col] = figures[col].values
    out["source_indicateurs"] = SOURCE
    return out


def _territory(b: Briefing) -> gpd.GeoDataFrame:
    """One row: the territory's outline, id, name and INSEE figures (sums over its communes)."""
    figures = b.indicators
    row = {"id": b.id, "nom": b.name, "type": b.kind_label}
    row.update(
        {c: figures[c] for c in figures.index if c not in ("territory_type", "territory_id")}
    )
    row["source_indicateurs"] = SOURCE
    return gpd.GeoDataFrame([row], geometry=[b.geometry], crs="EPSG:4326")


def _communes(atlas: Atlas, b: Briefing) -> gpd.GeoDataFrame:
    counts = shared(atlas).commune_counts
    table = b.communes.drop(columns="insee_reg").join(counts, on="insee_com")
    flags = [k for k in PROGRAMMES if k in TOWN_PROGRAMMES]
    sites = [f"n_{k}" for k in PROGRAMMES if k not in TOWN_PROGRAMMES]
    for key in flags:  # town programmes as flags, sites as counts
        table[key] = table.pop(f"n_{key}").fillna(0).gt(0)
    table[sites] = table[sites].fillna(0).astype("int64")
    table = table[[*b.communes.columns.drop("insee_reg"), *flags, *sites]]
    geoms = atlas.communes.set_index("insee_com").geometry
    return gpd.GeoDataFrame(table, geometry=table["insee_com"].map(geoms).values, crs="EPSG:4326")


def _cases(atlas: Atlas, b: Briefing, base_url: str) -> gpd.GeoDataFrame:
    points = numbered_cases(atlas, b)
    rows = pd.concat(
        [b.cases_inside.assign(dans_territoire=True), b.cases_nearby.assign(dans_territoire=False)],
        ignore_index=True,
    )
    rows.insert(0, "n", range(1, len(rows) + 1))
    rows["dans_territoire"] = rows["dans_territoire"].astype(bool)
    rows["distance_km"] = rows["distance_km"].astype(float)
    rows["fiche"] = [fiche_url(i, base_url) for i in rows["id"]]
    geometry = gpd.GeoSeries(points.geometry.values, crs="EPSG:4326")
    rows["lon"] = geometry.x.round(6).values if len(rows) else []
    rows["lat"] = geometry.y.round(6).values if len(rows) else []
    return gpd.GeoDataFrame(rows, geometry=geometry.values, crs="EPSG:4326")


def to_csv(atlas: Atlas, b: Briefing, base_url: str = "") -> dict[str, bytes]:
    """Each table as CSV (UTF-8 with BOM, formulas neutralised), without geometry."""
    out = {}
    for name, gdf in selection(atlas, b, base_url=base_url).items():
        out[name] = to_csv_bytes(pd.DataFrame(gdf.drop(columns="geometry")))
    return out


def to_geojson(atlas: Atlas, b: Briefing, base_url: str = "", metric: bool = False) -> bytes:
    """One FeatureCollection; each feature says its ``couche`` (communes or etudes_de_cas).

    GeoJSON is EPSG:4326 by its specification (RFC 7946); ``metric=True`` writes the
    metric CRS with a ``crs`` member, for GIS software that reads it.
    """
    layers = selection(atlas, b, metric=metric, base_url=base_url)
    features = []
    for name, gdf in layers.items():  # each layer keeps its own properties
        collection = json.loads(gdf.assign(couche=name).to_json(drop_id=True))
        features += collection["features"]
    out: dict = {"type": "FeatureCollection", "name": file_stem(b), "features": features}
    if metric:
        out["crs"] = {"type": "name", "properties": {"name": _urn(b.metric_crs)}}
    return json.dumps(out, ensure_ascii=False).encode("utf-8")


def _urn(crs: str) -> str:
    return "urn:ogc:def:crs:EPSG::" + crs.split(":")[-1]


def write_gpkg(
    atlas: Atlas, b: Briefing, path: Path, base_url: str = "", metric: bool = False
) -> Path:
    """Write the tables as GeoPackage layers ``communes``, ``etudes_de_cas``, ``territoire``."""
    path = Path(path)
    path.unlink(missing_ok=True)
    for name, gdf in selection(atlas, b, metric=metric, base_url=base_url).items():
        gdf.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


def to_gpkg(atlas: Atlas, b: Briefing, base_url: str = "", metric: bool = False) -> bytes:
    """Return the GeoPackage as bytes (for a download button)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_gpkg(atlas, b, Path(tmp) / "selection.gpkg", base_url, metric)
        return path.read_bytes()


def file_stem(b: Briefing) -> str:
    """File name stem of a briefing's files: ``fiche-ti-8408``, ``fiche-reg-84``."""
    return stem_of(b.id, b.kind)


def stem_of(ident: str, kind: str = "") -> str:
    """File name stem of the briefing of territory ``ident`` (its resolved id).

    A département or a région is named by its territory id (``fiche-dep-84``,
    ``fiche-reg-84``): their bare codes overlap.
    """
    return f"fiche-{territory_id(kind, ident) if kind in ('departement', 'region') else ident}"
