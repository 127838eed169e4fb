"""Place case studies on the map and join them to commune, EPCI, Pays, département, région.

A case is placed, in this order of preference: at its own coordinates; at a point on its
commune's surface; on the area of its EPCI (the union of its EPCI when it names several);
on the area of its Territoire d'industrie; on the area of its Pays. A case that cannot be
placed is kept out of the layer and listed with the reason, never dropped silently. A case
on an area carries every département and région of that area (``;`` lists).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geodata.problems import Problem
from geodata.vocab import CRS_DISPLAY, LIST_SEP


def commune_points(communes: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return a point inside each commune's surface (``representative_point``), by ``insee_com``.

    ``representative_point`` is guaranteed to lie inside the polygon whatever the CRS, so
    it is computed on the stored EPSG:4326 geometry (no distance or area involved).
    """
    with_geom = communes[~communes.geometry.isna()]
    return gpd.GeoSeries(
        with_geom.geometry.representative_point().values,
        index=with_geom["insee_com"].values,
        crs=communes.crs,
    )


@dataclass(frozen=True)
class _Lookup:
    com: pd.DataFrame  # communes indexed by insee_com
    points: gpd.GeoSeries  # a point inside each commune
    epci: gpd.GeoDataFrame  # indexed by siren_epci
    pays: gpd.GeoSeries  # Pays geometry by pays_id
    ti: gpd.GeoDataFrame  # Territoires d'industrie by id_ti (empty when not loaded)
    deps_of_epci: dict[str, list[str]]  # every département an EPCI's communes are in
    reg_of_dep: dict[str, str]
    epci_of_pays: dict[str, list[str]]  # the member EPCI of each Pays


def place_cases(
    cases: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    epci: gpd.GeoDataFrame,
    pays: gpd.GeoDataFrame,
    ti: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Return the placed cases (EPSG:4326) and one problem per row not placed, with the reason.

    Adds ``placement`` (coordonnées, commune, epci, ti, pays), and fills ``siren_epci``,
    ``insee_dep``, ``insee_reg`` (and ``pays_id`` for cases in a Pays's EPCI) from the
    commune -> EPCI -> Pays -> département -> région chain. ``siren_epci`` may list
    several EPCI (``;``); ``ti`` (``id_ti``, ``siren_epci`` members, geometry) places the
    cases that name only their Territoire d'industrie.
    """
    deps = communes[["siren_epci", "insee_dep"]].dropna().drop_duplicates()
    epci_of_pays = _epci_of_pays(pays)
    look = _Lookup(
        com=communes.set_index("insee_com"),
        points=commune_points(communes),
        epci=epci.set_index("siren_epci"),
        pays=pays.set_index("pays_id").geometry,
        ti=(
            ti
            if ti is not None
            else gpd.GeoDataFrame({"id_ti": [], "siren_epci": []}, geometry=[], crs=CRS_DISPLAY)
        ).set_index("id_ti"),
        deps_of_epci=deps.groupby("siren_epci")["insee_dep"].agg(sorted).to_dict(),
        reg_of_dep=dict(zip(communes["insee_dep"], communes["insee_reg"], strict=True)),
        epci_of_pays=epci_of_pays,
    )
    # the other way round; an EPCI listed by two Pays takes the last one
    pays_of_epci = {siren: pid for pid, members in epci_of_pays.items() for siren in members}
    rows, unplaced = [], []
    for row in cases.to_dict("records"):
        placed = _place_one(row, look)
        if placed is None:
            unplaced.append(_unplaced(row, look))
            continue
        if not row.get("pays_id") and row.get("siren_epci") in pays_of_epci:
            row["pays_id"] = pays_of_epci[row["siren_epci"]]
        rows.append({**row, "placement": placed[1], "geometry": placed[0]})
    columns = [*cases.columns, "siren_epci", "insee_dep", "insee_reg", "placement", "geometry"]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns)))
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=CRS_DISPLAY), unplaced


def _unplaced(row: dict, look: _Lookup) -> Problem:
    source = str(row.get("source") or "")
    dataset = source.removeprefix("user:") if source.startswith("user:") else "cases.csv"
    line = row.get("line")
    return Problem(
        dataset,
        None if line is None or pd.isna(line) else int(line),
        str(row["id"]),
        "insee_com",
        str(row.get("insee_com") or ""),
        _why_not(row, look),
        "indiquer une commune (COG 2025), un EPCI, un Pays ou des coordonnées existants",
        "error",
        "unplaced",
    )


def _place_one(row: dict, look: _Lookup) -> tuple[shapely.Geometry, str] | None:
    code, pays_id, id_ti = (row.get(k) or "" for k in ("insee_com", "pays_id", "id_ti"))
    sirens = [s for s in (row.get("siren_epci") or "").split(LIST_SEP) if s in look.epci.index]
    on_ti = id_ti in look.ti.index and not sirens and not code
    if on_ti:
        sirens = [
            s for s in look.ti.at[id_ti, "siren_epci"].split(LIST_SEP) if s in look.epci.index
        ]
    if code in look.com.index:
        row.update(
            siren_epci=look.com.at[code, "siren_epci"],
            insee_dep=look.com.at[code, "insee_dep"],
            insee_reg=look.com.at[code, "insee_reg"],
        )
    elif sirens or pays_id in look.epci_of_pays:  # on an area: all its départements
        members = sirens or look.epci_of_pays[pays_id]
        deps = sorted({d for s in members for d in look.deps_of_epci.get(s, [])})
        regs = sorted({look.reg_of_dep.get(d, "") for d in deps} - {""})
        row.update(insee_dep=LIST_SEP.join(deps), insee_reg=LIST_SEP.join(regs))
    lat, lon = row.get("lat"), row.get("lon")
    if _number(lat) and _number(lon):
        return shapely.Point(float(lon), float(lat)), "coordonnées"
    if code in look.points.index:
        return look.points[code], "commune"
    if on_ti and look.ti.at[id_ti, "geometry"] is not None:
        return look.ti.at[id_ti, "geometry"], "ti"
    areas = [look.epci.at[s, "geometry"] for s in sirens if look.epci.at[s, "geometry"] is not None]
    if areas:
        return (areas[0] if len(areas) == 1 else shapely.union_all(areas)), "epci"
    if pays_id in look.pays.index and look.pays[pays_id] is not None:
        return look.pays[pays_id], "pays"
    return None


def _number(value: object) -> bool:
    try:
        return value is not None and value != "" and not pd.isna(float(value))
    except (TypeError, ValueError):
        return False


def _epci_of_pays(pays: gpd.GeoDataFrame) -> dict[str, list[str]]:
    """Return the member EPCI (SIREN) of each Pays, from its ``members`` list."""
    return {
        str(pid): [siren for siren in str(members).split(LIST_SEP) if siren]
        for pid, members in zip(pays["pays_id"], pays["members"].fillna(""), strict=True)
    }


def _why_not(row: dict, look: _Lookup) -> str:
    code, siren = row.get("insee_com") or "", row.get("siren_epci") or ""
    pays_id, id_ti = row.get("pays_id") or "", row.get("id_ti") or ""
    if id_ti and not (code or siren or pays_id) and id_ti not in look.ti.index:
        return f"le Territoire d'industrie « {id_ti} » n'est pas dans la liste chargée"
    if not (code or siren or pays_id or id_ti):
        note = row.get("note") or ""
        return "ni commune, ni EPCI, ni Pays, ni coordonnées indiqués" + (
            f" (note : {note})" if note else ""
        )
    if code in look.com.index:
        return f"la commune {code} n'a pas de contour dans la source"
    return (
        f"aucun lieu trouvé : ni la commune « {code} », ni l'EPCI « {siren} », "
        f"ni le Pays « {pays_id} »"
    )
