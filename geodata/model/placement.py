"""Place case studies on the map and join them to commune, EPCI, Pays, département, région.

A case is placed, in this order of preference: at its own coordinates; at a point on its
commune's surface; on the area of its EPCI; on the area of its Pays. A case that cannot be
placed is kept out of the layer and listed with the reason, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geodata.vocab import CRS_DISPLAY


def commune_points(communes: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point inside each commune's surface (``representative_point``), by ``insee_com``.

    ``representative_point`` is guaranteed to lie inside the polygon whatever the CRS, so
    it is computed on the stored EPSG:4326 geometry (no distance or area involved).
    """
    with_geom = communes[~communes.geometry.isna()]
    return gpd.GeoSeries(
        with_geom.geometry.representative_point().values,
        index=with_geom["insee_com"].values, crs=communes.crs,
    )


@dataclass(frozen=True)
class _Lookup:
    com: pd.DataFrame  # communes indexed by insee_com
    points: gpd.GeoSeries  # a point inside each commune
    epci: gpd.GeoDataFrame  # indexed by siren_epci
    pays: gpd.GeoSeries  # Pays geometry by pays_id
    reg_of_dep: dict[str, str]


def place_cases(
    cases: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    pays: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Return the placed cases (EPSG:4326) and the rows not placed, with the reason.

    Adds ``placement`` (coordonnées, commune, epci, pays), and fills ``siren_epci``,
    ``insee_dep``, ``insee_reg`` (and ``pays_id`` for cases in a Pays's EPCI) from the
    commune -> EPCI -> Pays -> département -> région chain.
    """
    look = _Lookup(
        com=communes.set_index("insee_com"), points=commune_points(communes),
        epci=epci.set_index("siren_epci"), pays=pays.set_index("pays_id").geometry,
        reg_of_dep=dict(zip(communes["insee_dep"], communes["insee_reg"], strict=True)),
    )
    pays_of_epci = _pays_of_epci(pays)
    rows, unplaced = [], []
    for row in cases.to_dict("records"):
        placed = _place_one(row, look)
        if placed is None:
            unplaced.append({"id": row["id"], "line": row.get("line"), "source": row.get("source"),
                             "reason": _why_not(row, look)})
            continue
        if not row.get("pays_id") and row.get("siren_epci") in pays_of_epci:
            row["pays_id"] = pays_of_epci[row["siren_epci"]]
        rows.append({**row, "placement": placed[1], "geometry": placed[0]})
    columns = [*cases.columns, "siren_epci", "insee_dep", "insee_reg", "placement", "geometry"]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns)))
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS_DISPLAY), unplaced


def _place_one(row: dict, look: _Lookup) -> tuple[shapely.Geometry, str] | None:
    code, siren = row.get("insee_com") or "", row.get("siren_epci") or ""
    pays_id = row.get("pays_id") or ""
    if code in look.com.index:
        siren = look.com.at[code, "siren_epci"]
        row.update(siren_epci=siren, insee_dep=look.com.at[code, "insee_dep"],
                   insee_reg=look.com.at[code, "insee_reg"])
    elif siren in look.epci.index:
        dep = look.epci.at[siren, "insee_dep"]
        row.update(insee_dep=dep, insee_reg=look.reg_of_dep.get(dep, ""))
    lat, lon = row.get("lat"), row.get("lon")
    if _number(lat) and _number(lon):
        return shapely.Point(float(lon), float(lat)), "coordonnées"
    if code in look.points.index:
        return look.points[code], "commune"
    if siren in look.epci.index and look.epci.at[siren, "geometry"] is not None:
        return look.epci.at[siren, "geometry"], "epci"
    if pays_id in look.pays.index and look.pays[pays_id] is not None:
        return look.pays[pays_id], "pays"
    return None


def _number(value: object) -> bool:
    try:
        return value is not None and value != "" and not pd.isna(float(value))
    except (TypeError, ValueError):
        return False


def _pays_of_epci(pays: gpd.GeoDataFrame) -> dict[str, str]:
    pairs = pays[["pays_id", "members"]].assign(siren=pays["members"].str.split(";")).explode("siren")
    return dict(zip(pairs["siren"], pairs["pays_id"], strict=True))


def _why_not(row: dict, look: _Lookup) -> str:
    code, siren = row.get("insee_com") or "", row.get("siren_epci") or ""
    pays_id = row.get("pays_id") or ""
    if not (code or siren or pays_id):
        note = row.get("note") or ""
        return "no commune, EPCI, Pays or coordinates given" + (f" (note: {note})" if note else "")
    if code in look.com.index:
        return f"commune {code} has no geometry in the source"
    return f"none of commune {code!r}, EPCI {siren!r}, Pays {pays_id!r} could be placed"
