"""Describe one territory: composition, programmes present, case studies inside.

Shared by the map's side panel and the territory briefing. A territory is a commune, an
EPCI, a Pays/PETR, a Territoire d'industrie, a département or a région; it is reduced to
its set of communes (INSEE codes), and everything else is counted on that set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geodata.atlas import Atlas

KIND_LABELS = {
    "commune": "Commune", "epci": "EPCI", "pays": "Pays / PETR", "ti": "Territoire d'industrie",
    "departement": "Département", "region": "Région", "case": "Étude de cas",
}
PROGRAMME_LAYERS = {
    "acv": "Action cœur de ville", "pvd": "Petites villes de demain",
    "tiers_lieux": "Tiers-lieux", "france_services": "France services",
    "villages_avenir": "Villages d'avenir",
}


@dataclass
class Territory:
    """What the panel and the briefing show about one territory."""

    kind: str
    id: str
    name: str
    communes: pd.DataFrame  # insee_com, nom, population, siren_epci, insee_dep, area_km2
    epci: pd.DataFrame  # siren_epci, nom, nature, population
    programmes: dict[str, pd.DataFrame] = field(default_factory=dict)  # label -> rows
    cases: pd.DataFrame = field(default_factory=pd.DataFrame)
    memberships: dict[str, list[str]] = field(default_factory=dict)  # "Pays / PETR" -> names

    @property
    def kind_label(self) -> str:
        """French label of the territory's kind."""
        return KIND_LABELS[self.kind]

    @property
    def population(self) -> int | None:
        """Population of the communes with a known population (None when none is known)."""
        total = self.communes["population"].sum(min_count=1)
        return None if pd.isna(total) else int(total)

    @property
    def area_km2(self) -> float:
        """Area in km², measured in Lambert-93 (local UTM overseas) at build time."""
        return float(self.communes["area_km2"].sum())


def find(atlas: Atlas, kind: str, ident: str) -> pd.Series | None:
    """Return the row of a territory in its layer, or None when unknown."""
    table, key = _table(atlas, kind)
    if table is None:
        return None
    rows = table[table[key] == ident]
    if kind == "ti" and len(rows) > 1:
        rows = rows.sort_values("phase", ascending=False)
    return rows.iloc[0] if len(rows) else None


def _table(atlas: Atlas, kind: str) -> tuple[pd.DataFrame | None, str]:
    return {
        "commune": (atlas.communes, "insee_com"), "epci": (atlas.epci, "siren_epci"),
        "pays": (atlas.get("pays"), "pays_id"), "ti": (atlas.get("ti"), "id_ti"),
        "departement": (atlas.departements, "code"), "region": (atlas.regions, "code"),
        "case": (atlas.get("cases"), "id"),
    }.get(kind, (None, ""))


def commune_codes(atlas: Atlas, kind: str, ident: str) -> set[str]:
    """The INSEE codes of the communes making up a territory (empty when unknown)."""
    com = atlas.communes
    row = find(atlas, kind, ident)
    if row is None:
        return set()
    if kind == "commune":
        return {ident}
    if kind == "epci":
        return set(com.loc[com["siren_epci"] == ident, "insee_com"])
    if kind in ("departement", "region"):
        col = "insee_dep" if kind == "departement" else "insee_reg"
        return set(com.loc[com[col] == ident, "insee_com"])
    if kind == "case":
        return {row["insee_com"]} if row.get("insee_com") else set()
    members = set(str(row.get("members", "")).split(";")) - {""}
    extra = set(str(row.get("member_communes", "")).split(";")) - {""}
    return set(com.loc[com["siren_epci"].isin(members), "insee_com"]) | extra


def describe(atlas: Atlas, kind: str, ident: str) -> Territory | None:
    """Describe a territory, or return None when ``(kind, ident)`` is unknown."""
    row = find(atlas, kind, ident)
    if row is None:
        return None
    codes = commune_codes(atlas, kind, ident)
    com = atlas.communes[atlas.communes["insee_com"].isin(codes)]
    epci = atlas.epci[atlas.epci["siren_epci"].isin(set(com["siren_epci"]))]
    name = row.get("nom", row.get("lib_ti", row.get("name", ident)))
    territory = Territory(kind, ident, str(name),
                          pd.DataFrame(com.drop(columns="geometry")),
                          pd.DataFrame(epci[["siren_epci", "nom", "nature", "population"]]))
    territory.programmes = _programmes(atlas, codes)
    territory.cases = _cases(atlas, kind, ident, codes, set(epci["siren_epci"]))
    territory.memberships = _memberships(atlas, set(epci["siren_epci"]), kind, ident)
    return territory


def _programmes(atlas: Atlas, codes: set[str]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, label in PROGRAMME_LAYERS.items():
        layer = atlas.get(name)
        if layer is not None:
            out[label] = pd.DataFrame(layer[layer["insee_com"].isin(codes)].drop(columns="geometry"))
    return out


def _cases(atlas: Atlas, kind: str, ident: str, codes: set[str], sirens: set[str]) -> pd.DataFrame:
    cases = atlas.get("cases")
    if cases is None:
        return pd.DataFrame()
    inside = cases["insee_com"].isin(codes) | (
        (cases["placement"] == "epci") & cases["siren_epci"].isin(sirens)
    )
    if kind == "pays":
        inside |= cases["pays_id"] == ident
    return pd.DataFrame(cases[inside].drop(columns="geometry"))


def _memberships(atlas: Atlas, sirens: set[str], kind: str, ident: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    pays = atlas.get("pays")
    if pays is not None:
        hit = pays[pays["members"].str.split(";").map(lambda m: bool(sirens & set(m)))]
        out["Pays / PETR"] = sorted(hit["nom"])
    ti = atlas.get("ti")
    if ti is not None:
        cur = ti[ti["phase"] == ti["phase"].max()]
        hit = cur[cur["members"].str.split(";").map(lambda m: bool(sirens & set(m)))]
        out["Territoires d'industrie"] = sorted(hit["lib_ti"])
    return out
