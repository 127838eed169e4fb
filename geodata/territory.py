"""Name and describe one territory: its id, composition, outline, programmes.

Shared by the map's side panel, the territory briefing, the static export and every
command. A territory is a commune, an EPCI, a Pays/PETR, a Territoire d'industrie, a
département or a région; it is reduced to its set of communes (INSEE codes,
:func:`commune_codes`), and everything else is counted on that set or drawn from it
(:func:`outline`).

One id syntax names a territory everywhere (``atlas briefing``, ``atlas embed
--territory``, the Territoire page's ``?t=`` and the map's ``?sel=``):

==================  ===============  ======================================
kind                id               example
==================  ===============  ======================================
commune             INSEE code       ``63430``, ``2A004``
epci                SIREN            ``200035731``
ti                  ``id_ti``        ``ti-8408``
pays                ``pays_id``      ``pays-langres``
departement         ``dep-`` code    ``dep-63``, ``dep-2A``, ``dep-971``
region              ``reg-`` code    ``reg-84``
==================  ===============  ======================================

The ``kind:code`` forms first accepted by ``atlas embed`` (``epci:200035731``,
``dep:63``, ``ti:ti-8408``) and a bare département code (``63``) are read as aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geodata.atlas import Atlas
from geodata.model import ti
from geodata.vocab import LIST_SEP, PROGRAMMES, point_layers

KIND_LABELS = {
    "commune": "Commune",
    "epci": "EPCI",
    "pays": "Pays / PETR",
    "ti": "Territoire d'industrie",
    "departement": "Département",
    "region": "Région",
    "case": "Étude de cas",
}
PROGRAMME_LAYERS = point_layers()  # built layer -> French label, in table order
# Kind of grouping -> French heading of the territory's memberships of that kind.
MEMBERSHIP_LABELS = {"pays": KIND_LABELS["pays"], "petr": "PETR", "ti": PROGRAMMES["ti"].plural}


TERRITORY_KINDS = ("commune", "epci", "pays", "ti", "departement", "region")
_PREFIXES = {"ti": "ti-", "pays": "pays-", "departement": "dep-", "region": "reg-"}
_CODES = {  # kind -> the shape of its code, as stored in the build
    "commune": r"(?:\d{2}|2[AB])\d{3}",
    "epci": r"\d{9}",
    "ti": r"ti-[a-z0-9][a-z0-9_-]{0,40}",
    "pays": r"pays-[a-z0-9][a-z0-9_-]{0,60}",
    "departement": r"\d{2}|2[AB]|97\d",
    "region": r"\d{2}",
}
_ALIASES = {
    "commune": "commune",
    "epci": "epci",
    "pays": "pays",
    "ti": "ti",
    "dep": "departement",
    "departement": "departement",
    "reg": "region",
    "region": "region",
}
ID_FORMS = (
    "code INSEE de commune (63430), SIREN d'EPCI (200035731), Territoire "
    "d'industrie (ti-8408), Pays (pays-langres), département (dep-63) "
    "ou région (reg-84)"
)


@dataclass(frozen=True)
class TerritoryRef:
    """A territory named by its kind and its code as stored in the build."""

    kind: str  # one of TERRITORY_KINDS
    code: str  # insee_com, siren_epci, id_ti, pays_id, or a département / région code

    @property
    def id(self) -> str:
        """The territory's id (:func:`territory_id`), accepted by every command and URL."""
        return territory_id(self.kind, self.code)


def territory_id(kind: str, code: str) -> str:
    """Return the id naming territory ``(kind, code)`` in commands and URLs.

    ``territory_id("departement", "63")`` is ``"dep-63"``; a commune, an EPCI, a TI and a
    Pays are named by their own code (``"63430"``, ``"200035731"``, ``"ti-8408"``,
    ``"pays-langres"``).

    Raises
    ------
    ValueError
        For a kind not in :data:`TERRITORY_KINDS`.

    """
    if kind not in TERRITORY_KINDS:
        raise ValueError(f"territory_id: kind must be one of {TERRITORY_KINDS}, got {kind!r}")
    if kind in ("departement", "region"):
        return _PREFIXES[kind] + code
    return code


def parse_territory_id(text: str) -> TerritoryRef:
    """Read a territory id (see the module docstring), or one of its aliases.

    Case is not significant (``TI-8408``, ``2a004``); surrounding spaces are ignored.

    Raises
    ------
    ValueError
        In French, naming the id received and the accepted forms.

    """
    raw = str(text).strip()
    alias, sep, rest = raw.partition(":")
    if sep:
        kind = _ALIASES.get(alias.strip().lower())
        ref = _ref(kind, rest.strip()) if kind else None
    else:
        ref = _bare(raw)
    if ref is None:
        raise ValueError(
            f"identifiant de territoire non reconnu : « {raw} » ; formes acceptées : {ID_FORMS}"
        )
    return ref


def _bare(text: str) -> TerritoryRef | None:
    low = text.lower()
    for kind, prefix in _PREFIXES.items():
        if low.startswith(prefix):
            return _ref(kind, text)
    for kind in ("epci", "commune", "departement"):  # a bare département: old embed form
        ref = _ref(kind, text)
        if ref is not None:
            return ref
    return None


def _ref(kind: str, code: str) -> TerritoryRef | None:
    """Return the reference when ``code`` has the shape of a ``kind`` code (prefix optional)."""
    code = code.lower() if kind in ("ti", "pays") else code.upper()
    prefix = _PREFIXES.get(kind, "")
    if kind in ("departement", "region"):
        code = code.removeprefix(prefix.upper())
    elif prefix and not code.startswith(prefix):
        code = prefix + code  # ti:8408 -> ti-8408
    return TerritoryRef(kind, code) if re.fullmatch(_CODES[kind], code) else None


@dataclass
class Territory:
    """What the panel and the briefing show about one territory."""

    kind: str
    id: str
    name: str
    communes: pd.DataFrame  # insee_com, nom, population, siren_epci, insee_dep, area_km2
    epci: pd.DataFrame  # siren_epci, nom, nature, population
    programmes: dict[str, pd.DataFrame] = field(default_factory=dict)  # label -> rows
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
        "commune": (atlas.communes, "insee_com"),
        "epci": (atlas.epci, "siren_epci"),
        "pays": (atlas.get("pays"), "pays_id"),
        "ti": (atlas.get("ti"), "id_ti"),
        "departement": (atlas.departements, "code"),
        "region": (atlas.regions, "code"),
        "case": (atlas.get("cases"), "id"),
    }.get(kind, (None, ""))


def commune_codes(atlas: Atlas, kind: str, ident: str) -> set[str]:
    """Return the INSEE codes of the communes making up a territory (empty when unknown)."""
    row = find(atlas, kind, ident)
    if row is None:
        return set()
    if kind == "commune":
        return {ident}
    if kind == "case":
        return {row["insee_com"]} if row.get("insee_com") else set()
    pairs = membership(atlas, kind)
    return set(pairs.loc[pairs["tid"] == ident, "insee_com"])


def membership(atlas: Atlas, kind: str) -> pd.DataFrame:
    """Communes of every territory of ``kind`` (computed once per atlas).

    An EPCI, a département or a région holds the communes that name it; a Pays the
    communes of its member EPCI; a TI those of its member EPCI plus the communes its
    other members contribute (:func:`geodata.model.ti.ti_communes`), in the latest phase
    listing it (the row :func:`find` returns).

    Returns
    -------
    DataFrame
        ``tid, insee_com``, one row per (territory, commune); empty when the layer is not
        loaded.

    """
    if kind not in TERRITORY_KINDS:
        raise ValueError(f"membership: kind must be one of {TERRITORY_KINDS}, got {kind!r}")
    return atlas.derived(f"territory.membership.{kind}", lambda: _membership(atlas, kind))


def _membership(atlas: Atlas, kind: str) -> pd.DataFrame:
    com = atlas.communes
    column = {
        "commune": "insee_com",
        "epci": "siren_epci",
        "departement": "insee_dep",
        "region": "insee_reg",
    }.get(kind)
    if column is not None:
        rows = com[com[column].fillna("") != ""]
        return pd.DataFrame({"tid": rows[column].values, "insee_com": rows["insee_com"].values})
    layer = atlas.get(kind)
    if layer is None:
        return pd.DataFrame({"tid": pd.Series(dtype=str), "insee_com": pd.Series(dtype=str)})
    table = pd.DataFrame(layer.drop(columns="geometry"))
    if kind == "ti":
        latest = table.sort_values("phase", ascending=False).drop_duplicates("id_ti")
        pairs = ti.ti_communes(latest, com)
        return pd.DataFrame({"tid": pairs["id_ti"].values, "insee_com": pairs["insee_com"].values})
    pairs = table[["pays_id"]].assign(siren_epci=table["members"].str.split(LIST_SEP))
    pairs = pairs.explode("siren_epci").merge(com[["siren_epci", "insee_com"]], on="siren_epci")
    return pd.DataFrame({"tid": pairs["pays_id"].values, "insee_com": pairs["insee_com"].values})


def outline(atlas: Atlas, kind: str, ident: str) -> gpd.GeoDataFrame | None:
    """Outline of a territory: its communes (:func:`commune_codes`) dissolved.

    Returns
    -------
    GeoDataFrame or None
        One row ``id, name, geometry``, EPSG:4326 (the CRS of the communes: a union of a
        clean coverage needs no reprojection); None when the territory is unknown or none
        of its communes has a geometry.

    """
    row = find(atlas, kind, ident)
    if row is None:
        return None
    com = atlas.communes
    geoms = com.loc[com["insee_com"].isin(commune_codes(atlas, kind, ident)), "geometry"]
    geoms = geoms[~geoms.isna()]
    if geoms.empty:
        return None
    union = shapely.coverage_union_all(geoms.values)
    if not union.is_valid:  # not a clean coverage (should not happen): fall back
        union = shapely.union_all(shapely.make_valid(geoms.values))
    return gpd.GeoDataFrame(
        {"id": [ident], "name": [_name(row, ident)]}, geometry=[union], crs=com.crs
    )


def _name(row: pd.Series, ident: str) -> str:
    return str(row.get("nom", row.get("lib_ti", row.get("name", ident))))


def describe(atlas: Atlas, kind: str, ident: str) -> Territory | None:
    """Describe a territory, or return None when ``(kind, ident)`` is unknown."""
    row = find(atlas, kind, ident)
    if row is None:
        return None
    codes = commune_codes(atlas, kind, ident)
    com = atlas.communes[atlas.communes["insee_com"].isin(codes)]
    epci = atlas.epci[atlas.epci["siren_epci"].isin(set(com["siren_epci"]))]
    territory = Territory(
        kind,
        ident,
        _name(row, ident),
        pd.DataFrame(com.drop(columns="geometry")),
        pd.DataFrame(epci[["siren_epci", "nom", "nature", "population"]]),
    )
    territory.programmes = _programmes(atlas, codes)
    territory.memberships = _memberships(atlas, set(epci["siren_epci"]), kind, ident)
    return territory


def _programmes(atlas: Atlas, codes: set[str]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, label in PROGRAMME_LAYERS.items():
        layer = atlas.get(name)
        if layer is not None:
            rows = layer[layer["insee_com"].isin(codes)]
            out[label] = pd.DataFrame(rows.drop(columns="geometry"))
    return out


def _memberships(atlas: Atlas, sirens: set[str], kind: str, ident: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    pays = atlas.get("pays")
    if pays is not None:  # the documents' Pays ("curated") and the PETR of BANATIC
        hit = pays[pays["members"].str.split(";").map(lambda m: bool(sirens & set(m)))]
        curated = (
            hit["curated"].fillna(False).astype(bool)
            if "curated" in hit.columns
            else pd.Series(True, index=hit.index)
        )
        out[MEMBERSHIP_LABELS["pays"]] = sorted(hit.loc[curated, "nom"])
        if kind != "pays":  # a PETR is not listed as in itself
            out[MEMBERSHIP_LABELS["petr"]] = sorted(hit.loc[~curated, "nom"])
    ti = atlas.get("ti")
    if ti is not None:
        cur = ti[ti["phase"] == ti["phase"].max()]
        hit = cur[cur["members"].str.split(";").map(lambda m: bool(sirens & set(m)))]
        out[MEMBERSHIP_LABELS["ti"]] = sorted(hit["lib_ti"])
    return out
