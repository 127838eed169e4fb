"""All built layers in one read-only object, loaded once per server by the app.

Optional layers (the ANCT programme lists, the case studies) may be absent: their entry
is then ``None`` and :data:`LOAD_HINTS` says how to load them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd

from geodata import search
from geodata.build import runner as build

T = TypeVar("T")

OPTIONAL = ("cases", "pays", "petr", "clusters", "ti", "ti_simplified", "acv", "pvd",
            "tiers_lieux", "france_services", "villages_avenir", "territory_facts",
            "multi_programmes", "fabriques_prospectives")
LOAD_HINTS = {
    name: "atlas fetch --dest DIR, puis ATLAS_DATA_DIR=DIR atlas build (ou make run)"
    for name in ("ti", "ti_simplified", "acv", "pvd", "tiers_lieux", "france_services", "villages_avenir")
}


@dataclass
class Atlas:
    """The base geography and every optional layer of one build directory."""

    out: Path
    communes: gpd.GeoDataFrame
    epci: gpd.GeoDataFrame  # display-simplified
    departements: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    optional: dict[str, gpd.GeoDataFrame | pd.DataFrame | None]
    report: dict
    _memo: dict[str, object] = field(default_factory=dict, repr=False)

    def get(self, name: str) -> gpd.GeoDataFrame | None:
        """Return an optional layer, or None when it was not built."""
        return self.optional.get(name)

    @property
    def search_index(self) -> pd.DataFrame:
        """Search index of communes, EPCI, Pays and TI (built on first use)."""
        return self.derived("search_index", lambda: search.build_index(self._index_frames()))

    def derived(self, name: str, make: Callable[[], T]) -> T:
        """Return a table derived from the layers, made on first use and kept with them.

        The atlas is read-only, so what is derived from it stays valid as long as it lives
        (one per server in the app, one per run in the batch commands).
        """
        if name not in self._memo:
            self._memo[name] = make()
        return self._memo[name]  # type: ignore[return-value]

    def _index_frames(self) -> dict[str, pd.DataFrame]:
        com = self.communes
        frames = {
            "commune": pd.DataFrame({"id": com["insee_com"], "label": com["nom"],
                                     "detail": "Commune (" + com["insee_dep"] + ")",
                                     "population": com["population"]}),
            "epci": pd.DataFrame({"id": self.epci["siren_epci"], "label": self.epci["nom"],
                                  "detail": "EPCI " + self.epci["nature"],
                                  "population": self.epci["population"]}),
        }
        if (pays := self.get("pays")) is not None:
            frames["pays"] = pd.DataFrame({"id": pays["pays_id"], "label": pays["nom"],
                                           "detail": "Pays / PETR", "population": pays["population"]})
        if (ti := self.get("ti")) is not None:
            cur = ti[ti["phase"] == ti["phase"].max()]
            frames["ti"] = pd.DataFrame({"id": cur["id_ti"], "label": cur["lib_ti"],
                                         "detail": "Territoire d'industrie",
                                         "population": cur.get("population")})
        return frames


def load(out: Path | None = None) -> Atlas:
    """Read every layer of a build directory (building it first if needed)."""
    out = build.ensure_build(out, log=lambda _: None)
    read = lambda name: gpd.read_parquet(out / f"{name}.parquet")  # noqa: E731
    optional = {}
    for name in OPTIONAL:
        path = out / f"{name}.parquet"
        if not path.exists():
            optional[name] = None
        elif name in ("territory_facts", "multi_programmes"):
            optional[name] = pd.read_parquet(path)
        else:
            optional[name] = read(name)
    optional["pays"] = _with_national_petr(optional.get("pays"), optional.get("petr"))
    return Atlas(out, read("communes"), read("epci_simplified"), read("departements"),
                 read("regions"), optional, build.read_report(out))


def _with_national_petr(pays: gpd.GeoDataFrame | None,
                        petr: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The documents' Pays plus the PETR of BANATIC (when fetched), so both can be looked up.

    Without BANATIC, ``petr`` is the curated Pays itself and nothing is added.
    """
    if pays is None or petr is None:
        return pays
    extra = petr[~petr["pays_id"].isin(pays["pays_id"])]
    if extra.empty:
        return pays
    return gpd.GeoDataFrame(pd.concat([pays, extra], ignore_index=True), crs=pays.crs)
