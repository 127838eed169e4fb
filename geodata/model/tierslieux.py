"""Tiers-lieux: one point layer from three sources.

Sources (Licence Ouverte 2.0):

- ANCT, Fabriques de territoire (list of January 2024, ``fabriques_territoire.csv``) and
  Manufactures de proximité (first wave 2022, ``manufactures_proximite.csv``): placed on a
  point of their commune (:func:`geodata.reconcile.reconcile_communes`);
- CGET (now ANCT), "Mission coworking" census of tiers-lieux, 2019
  (``tiers_lieux_2019.csv``, from ``anct-carto/mission_coworking``): placed at their own
  coordinates (``LAT``, ``LONG``, geocoded addresses) when those are valid, else on a
  point of their commune (``INSEECOM``, reconciled like the other lists).

No personal data: only the columns of :data:`geodata.anct.CATALOGUE` are read (no e-mail,
phone or person name, even when a file carries them), and a ``WEB`` value that is an
e-mail address rather than a website is dropped and reported.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.model import coverage
from geodata.model.reconcile import (
    code_problems,
    commune_points,
    list_problem,
    reconcile_communes,
    resolve_codes,
)
from geodata.problems import Problem
from geodata.schema import Schema, check_schema
from geodata.sources.anct import LINE
from geodata.vocab import CRS_DISPLAY, FRANCE_BOXES, PROGRAMMES

NEAR_M = 1_000.0  # a point this close to a commune (coastline, river) is taken as in it
# French wording of the coordinate notes of :func:`validate_coordinates`, for the problems.
NOTES_FR = {
    "no coordinates": "pas de coordonnées",
    "not numeric": "coordonnées non numériques",
    "0, 0 placeholder": "coordonnées 0, 0 (valeur de remplissage)",
    "outside France": "coordonnées hors de France",
}
OUTSIDE = "coordonnées hors de toute commune"
# ``family``: the code of the list a row comes from (geodata.vocab.TIERS_LIEUX_FAMILIES),
# what other code joins on; ``source``: its French label, shown on the map.
COLUMNS = [
    "family",
    "source",
    "id",
    "name",
    "type",
    "web",
    "insee_com",
    "insee_com_source",
    "nom_commune",
    "siren_epci",
    "insee_dep",
    "insee_reg",
    "placement",
    LINE,
]
TIERS_LIEUX = Schema(
    "tiers_lieux",
    {c: "str" for c in COLUMNS if c != LINE},
    ("Point",),
    code_lengths={"insee_com": (5,), "insee_dep": (2, 3)},
)


def in_france(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Tell where ``(lon, lat)`` lies in one of :data:`FRANCE_BOXES` (bool array)."""
    inside = np.zeros(len(lon), dtype=bool)
    for x0, y0, x1, y1 in FRANCE_BOXES.values():
        inside |= (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    return inside


def validate_coordinates(lat: pd.Series, lon: pd.Series) -> pd.DataFrame:
    """Check coordinates given as text: numeric, in France (overseas included), not swapped.

    Returns
    -------
    DataFrame, same index
        ``lat``, ``lon`` (floats, swapped pairs put right, NaN when unusable), ``ok`` (bool)
        and ``note``: "" for good coordinates, "swapped" (corrected, still ok), or why they
        are unusable ("no coordinates", "not numeric", "0, 0 placeholder",
        "outside France").
    """
    y = pd.to_numeric(lat.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
    x = pd.to_numeric(lon.str.replace(",", ".", regex=False), errors="coerce").to_numpy(float)
    good, swapped = in_france(x, y), in_france(y, x)
    note = np.select(
        [
            (lat.str.strip() == "").to_numpy() | (lon.str.strip() == "").to_numpy(),
            np.isnan(x) | np.isnan(y),
            (x == 0) & (y == 0),
            good,
            swapped,
        ],
        ["no coordinates", "not numeric", "0, 0 placeholder", "", "swapped"],
        default="outside France",
    )
    ok = (note == "") | (note == "swapped")
    fixed_x, fixed_y = np.where(note == "swapped", y, x), np.where(note == "swapped", x, y)
    return pd.DataFrame(
        {
            "lat": np.where(ok, fixed_y, np.nan),
            "lon": np.where(ok, fixed_x, np.nan),
            "ok": ok,
            "note": note,
        },
        index=lat.index,
    )


def locate(points: gpd.GeoSeries, communes: gpd.GeoDataFrame) -> pd.Series:
    """Find the commune holding each point, or the nearest within :data:`NEAR_M` metres.

    Points falling just outside every polygon (commune outlines are simplified: a
    coastline, a river) go to the nearest commune, measured in its zone's metric CRS.
    Returns a Series of INSEE codes (same index as ``points``), "" where none is found.
    """
    with_geom = communes[~communes.geometry.isna()].reset_index(drop=True)
    inside = gpd.sjoin(
        gpd.GeoDataFrame(geometry=points),
        with_geom[["insee_com", "geometry"]],
        predicate="within",
        how="left",
    )
    found = inside.groupby(level=0)["insee_com"].first().reindex(points.index).fillna("")
    for idx in found.index[found == ""]:
        nearest = int(with_geom.sindex.nearest(points[idx], return_all=False)[1][0])
        row = with_geom.iloc[nearest]
        crs = coverage.metric_crs(row["insee_dep"])
        pair = gpd.GeoSeries([points[idx], row.geometry], crs=CRS_DISPLAY).to_crs(crs)
        if pair.iloc[0].distance(pair.iloc[1]) <= NEAR_M:
            found[idx] = row["insee_com"]
    return found.astype(str)


def census_points(
    df: pd.DataFrame, reference: pd.DataFrame, communes: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Place the 2019 census: at its coordinates when valid, else on its commune.

    The commune of a row placed at its coordinates is the one holding the point; when the
    list's ``INSEECOM`` names another commune within :data:`NEAR_M` of the point, the
    list's commune is kept (a point on a border). A code contradicted by the coordinates,
    or missing (``0``), is reported ("located"), as are bad coordinates ("coordinates").

    Parameters
    ----------
    df : DataFrame
        As read by :func:`geodata.anct.read_list` with the ``tiers_lieux_2019`` spec.
    reference, communes
        :func:`geodata.datafrance.commune_reference` and the base communes layer.

    Returns
    -------
    (GeoDataFrame, list of Problem)
        Points, EPSG:4326, columns :data:`COLUMNS`; and the problems
        (:func:`geodata.model.reconcile.list_problem`), ``kind`` in remapped, padded,
        located, coordinates, privacy (placed rows) or unplaced.
    """
    res, where, pts = _census_placement(df, reference, communes)
    ok = where["by_coords"] | where["code_ok"]
    insee = where["insee"]
    fallback = commune_points(communes, set(insee[ok & ~where["by_coords"]]))
    geometry = pts.where(where["by_coords"], insee.map(fallback))
    web, privacy = _websites(df[ok])
    frame = _frame(
        df[ok],
        insee,
        communes,
        family="tiers_lieux_2019",
        ident=df["ID"],
        name=df["NOM_TL"],
        kind=df["TYPO"],
        web=web,
        placement=np.where(where.loc[ok, "by_coords"], "coordonnées", "commune"),
    )
    frame["insee_com_source"] = df.loc[ok, "INSEECOM"].values
    out = gpd.GeoDataFrame(frame, geometry=geometry[ok].values, crs=CRS_DISPLAY)
    return check_schema(out, TIERS_LIEUX), _census_problems(df, res, where) + privacy


def _census_placement(
    df: pd.DataFrame, reference: pd.DataFrame, communes: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoSeries]:
    """Code resolution, coordinates check and the commune chosen for each row.

    Returns ``(res, where, points)``: :func:`resolve_codes`'s result; ``where`` with
    ``insee`` (the commune chosen, "" when none), ``by_coords`` (placed at its
    coordinates), ``code_ok`` (the list's code names a commune with geometry), ``note``
    (:func:`validate_coordinates`); and the points at the (corrected) coordinates.
    """
    res = resolve_codes(df["INSEECOM"], reference)
    drawn = communes.loc[~communes.geometry.isna(), "insee_com"]
    code_ok = (res["reason"] == "") & res["insee_com"].isin(drawn)
    coords = validate_coordinates(df["LAT"], df["LONG"])
    pts = gpd.GeoSeries(
        gpd.points_from_xy(coords["lon"], coords["lat"]), index=df.index, crs=CRS_DISPLAY
    )
    located = pd.Series("", index=df.index, dtype=str)
    located[coords["ok"]] = locate(pts[coords["ok"]], communes)
    by_coords = coords["ok"] & (located != "")
    keep_code = by_coords & code_ok & (located != res["insee_com"])
    keep_code &= _near(pts, res["insee_com"], keep_code, communes)
    insee = located.where(by_coords & ~keep_code, res["insee_com"].where(code_ok, ""))
    where = pd.DataFrame(
        {"insee": insee, "by_coords": by_coords, "code_ok": code_ok, "note": coords["note"]}
    )
    return res, where, pts


def _near(
    pts: gpd.GeoSeries, codes: pd.Series, mask: pd.Series, communes: gpd.GeoDataFrame
) -> pd.Series:
    """Tell, for rows in ``mask``, whether the point is within :data:`NEAR_M` of its commune."""
    out = pd.Series(False, index=pts.index)
    com = communes.set_index("insee_com")
    for idx in mask.index[mask]:
        out[idx] = (
            _distance_m(pts[idx], com.at[codes[idx], "geometry"], com.at[codes[idx], "insee_dep"])
            <= NEAR_M
        )
    return out


def _distance_m(point: shapely.Point, geom: shapely.Geometry, dep: str) -> float:
    pair = gpd.GeoSeries([point, geom], crs=CRS_DISPLAY).to_crs(coverage.metric_crs(dep))
    return float(pair.iloc[0].distance(pair.iloc[1]))


def _census_problems(df: pd.DataFrame, res: pd.DataFrame, where: pd.DataFrame) -> list[Problem]:
    """Code problems, turned into "located" for rows placed by their coordinates."""
    problems = []
    by_line = dict(zip(df[LINE], where.itertuples(), strict=True))
    res_by_line = dict(zip(df[LINE], res.itertuples(), strict=True))
    for p in code_problems(df[LINE], res):
        w = by_line[p.line]
        if p.kind == "unplaced" and w.by_coords:
            p = list_problem(
                p.line,
                p.code,
                "located",
                w.insee,
                f"{p.reason} ; commune {w.insee} trouvée d'après les coordonnées",
            )
        elif p.kind == "unplaced":
            p = replace(p, reason=f"{p.reason} ; {NOTES_FR.get(w.note, w.note) or OUTSIDE}")
        problems.append(p)
    for line, w in by_line.items():
        problems += _row_notes(line, res_by_line[line], w)
    return problems


def _row_notes(line: int, r: object, w: object) -> list[Problem]:
    notes = []
    if w.code_ok and w.by_coords and w.insee != r.insee_com:
        notes.append(
            list_problem(
                line,
                r.code_source,
                "located",
                w.insee,
                f"les coordonnées sont à plus de {NEAR_M:.0f} m de la commune "
                f"{r.insee_com} : commune {w.insee} retenue d'après les coordonnées",
            )
        )
    if w.note == "swapped":
        notes.append(
            list_problem(
                line,
                r.code_source,
                "coordinates",
                w.insee,
                "latitude et longitude inversées : corrigées",
                field="LAT",
            )
        )
    elif w.code_ok and not w.by_coords:
        why = NOTES_FR.get(w.note, w.note) or OUTSIDE
        notes.append(
            list_problem(
                line,
                r.code_source,
                "coordinates",
                w.insee,
                f"{why} : placé sur un point de la commune {w.insee}",
                field="LAT",
            )
        )
    return notes


def _websites(df: pd.DataFrame) -> tuple[pd.Series, list[Problem]]:
    """``WEB`` values, with e-mail addresses dropped (personal data) and reported."""
    web = df["WEB"].str.strip()
    mail = web.str.contains("@", regex=False) & ~web.str.lower().str.startswith("http")
    problems = [
        list_problem(
            line,
            "",
            "privacy",
            "",
            "WEB contient une adresse e-mail, pas un site web : valeur retirée",
            field="WEB",
            fix="valeur retirée (donnée personnelle), ligne conservée",
        )
        for line in df.loc[mail, LINE]
    ]
    return web.where(~mail, ""), problems


def _frame(
    rows: pd.DataFrame,
    insee: pd.Series,
    communes: gpd.GeoDataFrame,
    *,
    family: str,
    ident: pd.Series,
    name: pd.Series,
    kind: pd.Series | str,
    web: pd.Series | str,
    placement: np.ndarray | str,
) -> pd.DataFrame:
    """Build the layer's columns (:data:`COLUMNS`) for ``rows``, with their commune's data."""
    com = communes.set_index("insee_com")
    idx = rows.index
    frame = pd.DataFrame(
        {
            "family": family,
            "source": PROGRAMMES[family].source_label,
            "id": ident[idx],
            "name": name[idx].map(_one_line),
            "type": kind[idx].map(_one_line) if isinstance(kind, pd.Series) else kind,
            "web": web[idx] if isinstance(web, pd.Series) else web,
            "insee_com": insee[idx],
            "insee_com_source": "",
            "nom_commune": insee[idx].map(com["nom"]),
            "siren_epci": insee[idx].map(com["siren_epci"]),
            "insee_dep": insee[idx].map(com["insee_dep"]),
            "insee_reg": insee[idx].map(com["insee_reg"]),
            "placement": placement,
            LINE: rows[LINE],
        },
        index=idx,
    )
    return frame.astype({c: str for c in COLUMNS if c != LINE}).reset_index(drop=True)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def list_points(
    placed: gpd.GeoDataFrame, name: str, id_col: str, label_col: str
) -> gpd.GeoDataFrame:
    """Fabriques or Manufactures placed by :func:`reconcile_communes`, in the layer's columns."""
    frame = _frame(
        placed,
        placed["insee_com"],
        _attrs(placed),
        family=name,
        ident=placed[id_col],
        name=placed[label_col],
        kind="",
        web="",
        placement="commune",
    )
    frame["insee_com_source"] = placed["insee_com_source"].values
    out = gpd.GeoDataFrame(frame, geometry=placed.geometry.values, crs=CRS_DISPLAY)
    return check_schema(out, TIERS_LIEUX)


def _attrs(placed: pd.DataFrame) -> pd.DataFrame:
    cols = {
        "nom_commune": "nom",
        "siren_epci": "siren_epci",
        "insee_dep": "insee_dep",
        "insee_reg": "insee_reg",
    }
    return placed[["insee_com", *cols]].rename(columns=cols).drop_duplicates("insee_com")


def place_list(
    df: pd.DataFrame,
    name: str,
    id_col: str,
    label_col: str,
    reference: pd.DataFrame,
    communes: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Reconcile and place a Fabriques or Manufactures list; see :func:`reconcile_communes`."""
    placed, problems = reconcile_communes(df, reference, communes)
    return list_points(placed, name, id_col, label_col), problems


def tiers_lieux(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate the placed sources into the ``tiers_lieux`` layer (EPSG:4326 points)."""
    if not parts:
        empty = pd.DataFrame({c: pd.Series(dtype=str) for c in COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=CRS_DISPLAY))
    return check_schema(
        gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=CRS_DISPLAY), TIERS_LIEUX
    )
