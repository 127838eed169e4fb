"""Where the map looks: the territories of a région or a département, and those at a point.

A région or a département chosen on the map is a *scope*: every layer keeps what lies in
it. Territories drawn as perimeters (Territoires d'industrie, Pays / PETR) are kept when
they *intersect* the scope, that is when one of their communes is in it (a TI spanning two
régions is kept in both), read from the communes each territory is made of
(:func:`geodata.territory.membership`), not from display geometry, so a neighbour that only
touches the border is not kept.

A click on the map is a point: :func:`territories_at` lists every territory holding it
(commune, EPCI, TI, Pays / PETR), found by a point-in-polygon test on the communes
(EPSG:4326, the CRS of the build: a containment test needs no metric CRS) and then by
membership, so it agrees with the panel and the fiche.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import shapely

from geodata import search, territory
from geodata.atlas import Atlas

# Kinds listed at a point, in the order the panel offers them (smallest first).
POINT_KINDS = ("commune", "epci", "ti", "pays")


def scope_communes(atlas: Atlas, reg: str = "", dep: str = "") -> set[str] | None:
    """Return the INSEE codes of the communes of a département (else a région); None: all."""
    com = atlas.communes
    if dep:
        return set(com.loc[com["insee_dep"] == dep, "insee_com"])
    if reg:
        return set(com.loc[com["insee_reg"] == reg, "insee_com"])
    return None


def territories_in(atlas: Atlas, kind: str, reg: str = "", dep: str = "") -> list[str] | None:
    """Return the ids of the territories of ``kind`` intersecting the scope, sorted.

    Parameters
    ----------
    atlas : Atlas
        The loaded build.
    kind : str
        A kind of :data:`geodata.territory.TERRITORY_KINDS` ("ti", "pays"…).
    reg, dep : str
        The scope: a département code (wins when both are given), a région code, or
        neither.

    Returns
    -------
    list of str or None
        None when there is no scope (every territory is kept); else the ids of the
        territories with at least one commune in the scope (possibly empty).

    """
    codes = scope_communes(atlas, reg, dep)
    if codes is None:
        return None
    pairs = territory.membership(atlas, kind)
    return sorted(set(pairs.loc[pairs["insee_com"].isin(codes), "tid"]))


@dataclass(frozen=True)
class Place:
    """A territory holding a point: its kind, id, French name and kind label."""

    kind: str
    ident: str
    name: str
    kind_label: str


def commune_at(atlas: Atlas, lon: float, lat: float) -> str | None:
    """Return the INSEE code of the commune holding ``(lon, lat)`` (EPSG:4326), or None."""
    com = atlas.communes
    point = shapely.Point(float(lon), float(lat))
    hits = com.sindex.query(point, predicate="intersects")
    if len(hits) == 0:
        return None
    return str(com.iloc[sorted(hits)[0]]["insee_com"])


def territories_at(atlas: Atlas, lon: float, lat: float) -> list[Place]:
    """Every territory holding the point ``(lon, lat)`` (EPSG:4326), smallest kind first.

    The commune holding the point, then the EPCI, Territoires d'industrie and Pays / PETR
    made of it (:data:`POINT_KINDS` order; several TI or Pays are sorted by name). Empty
    when the point is in no commune (at sea, abroad).
    """
    code = commune_at(atlas, lon, lat)
    if code is None:
        return []
    out = []
    for kind in POINT_KINDS:
        pairs = territory.membership(atlas, kind)
        places = []
        for ident in pairs.loc[pairs["insee_com"] == code, "tid"].drop_duplicates():
            row = territory.find(atlas, kind, str(ident))
            if row is not None:
                name = str(row.get("nom", row.get("lib_ti", ident)))
                places.append(Place(kind, str(ident), name, territory.KIND_LABELS[kind]))
        out += sorted(places, key=lambda p: p.name)
    return out


def regions_of(atlas: Atlas, kind: str) -> pd.Series:
    """Return, per territory id of ``kind``, the codes of the régions it intersects (a set)."""
    pairs = territory.membership(atlas, kind)
    reg = atlas.communes.set_index("insee_com")["insee_reg"]
    regs = pairs.assign(reg=pairs["insee_com"].map(reg)).dropna(subset=["reg"])
    return regs.groupby("tid")["reg"].agg(lambda s: set(s))


def place_index(atlas: Atlas) -> pd.DataFrame:
    """Return the search index of the map: the atlas's places plus régions and départements.

    Every row carries ``regs``, the régions it intersects (so the active région's places
    rank first), communes ``tis``, the Territoires d'industrie holding them (so a town
    brings its TI), and ``tid``, the territory id ("reg-84"); see
    :func:`geodata.search.search`. Made once per atlas.
    """
    return atlas.derived("scope.place_index", lambda: _place_index(atlas))


def _place_index(atlas: Atlas) -> pd.DataFrame:
    com = atlas.communes
    deps, regs = atlas.departements, atlas.regions
    extra = search.build_index(
        {
            "region": pd.DataFrame(
                {
                    "id": regs["code"],
                    "label": regs["nom"],
                    "detail": "Région",
                    "population": regs["population"],
                }
            ),
            "departement": pd.DataFrame(
                {
                    "id": deps["code"],
                    "label": deps["nom"],
                    "detail": "Département (" + deps["code"] + ")",
                    "population": deps["population"],
                }
            ),
        }
    )
    index = pd.concat([extra, atlas.search_index], ignore_index=True)
    reg_of = {
        "commune": com.set_index("insee_com")["insee_reg"],
        "departement": deps.set_index("code")["insee_reg"],
        "region": pd.Series(regs["code"].values, index=regs["code"].values),
    }
    joined = {k: v.fillna("").astype(str).to_dict() for k, v in reg_of.items()}
    for kind in ("epci", "ti", "pays"):
        joined[kind] = regions_of(atlas, kind).map(lambda s: ";".join(sorted(s))).to_dict()
    index["regs"] = [
        joined[kind].get(ident, "") if kind in joined else ""
        for kind, ident in zip(index["kind"], index["id"], strict=True)
    ]
    ti_pairs = territory.membership(atlas, "ti")
    tis = ti_pairs.groupby("insee_com")["tid"].agg(lambda s: ";".join(sorted(set(s)))).to_dict()
    index["tis"] = [
        tis.get(ident, "") if kind == "commune" else ""
        for kind, ident in zip(index["kind"], index["id"], strict=True)
    ]
    index["tid"] = [
        territory.territory_id(k, i) for k, i in zip(index["kind"], index["id"], strict=True)
    ]
    return index
