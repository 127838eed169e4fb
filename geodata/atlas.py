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
from geodata.build.programmes import LAYERS as PROGRAMME_LAYERS
from geodata.model import facts
from geodata.model import pays as pays_model
from geodata.report import BuildReport

T = TypeVar("T")

BASE = ("communes", "epci", "departements", "regions")  # always built (epci: display copy)
OPTIONAL = ("cases", "pays", "petr", "clusters", *PROGRAMME_LAYERS, "territory_facts")
LOAD_HINTS = {
    name: "atlas fetch --dest DIR, puis ATLAS_DATA_DIR=DIR atlas build (ou make run)"
    for name in PROGRAMME_LAYERS
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
    report: BuildReport
    _memo: dict[str, object] = field(default_factory=dict, repr=False)

    def get(self, name: str) -> gpd.GeoDataFrame | None:
        """Return an optional layer, or None when it was not built."""
        return self.optional.get(name)

    def frame(self, name: str) -> gpd.GeoDataFrame | pd.DataFrame | None:
        """Return a built frame by name: one of :data:`BASE`, else an optional layer."""
        return getattr(self, name) if name in BASE else self.get(name)

    @property
    def search_index(self) -> pd.DataFrame:
        """Search index of communes, EPCI, Pays and TI (built on first use)."""
        return self.derived("search_index", lambda: search.build_index(self._index_frames()))

    def territory_facts(self) -> pd.DataFrame:
        """Return the programme and case-study counts per territory (``facts`` stage).

        A build always holds this table; an atlas assembled in memory (tests) derives it
        once from its layers with the stage's own function
        (:func:`geodata.model.facts.layer_facts`).
        """
        table = self.get("territory_facts")
        if table is not None:
            return table
        return self.derived(
            "territory_facts",
            lambda: facts.layer_facts(
                self.communes,
                self.optional,
                epci=self.epci,
                departements=self.departements,
                regions=self.regions,
            ),
        )

    def counts(self, kind: str, ident: str) -> dict[str, int] | None:
        """Return a territory's counts by programme key (and ``cases``), None if unknown.

        Read from :meth:`territory_facts`, the one definition of every count
        (:mod:`geodata.model.facts`): the map's panel, the fiche, the briefing and its
        exports show these.
        """
        return facts.counts_of(self.territory_facts(), kind, ident)

    def case_ids(self, kind: str, ident: str) -> list[str]:
        """Return the ids of the case studies counted in a territory (``counts()["cases"]``).

        A case study is in a territory when the place it is placed on lies wholly inside
        it (:func:`geodata.model.facts.cases_within`); empty when the territory is unknown.
        """
        return facts.case_ids_of(self.territory_facts(), kind, ident) or []

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
            "commune": pd.DataFrame(
                {
                    "id": com["insee_com"],
                    "label": com["nom"],
                    "detail": "Commune (" + com["insee_dep"] + ")",
                    "population": com["population"],
                }
            ),
            "epci": pd.DataFrame(
                {
                    "id": self.epci["siren_epci"],
                    "label": self.epci["nom"],
                    "detail": "EPCI " + self.epci["nature"],
                    "population": self.epci["population"],
                }
            ),
        }
        if (pays := self.get("pays")) is not None:  # the documents' Pays and BANATIC's PETR
            frames["pays"] = pd.DataFrame(
                {
                    "id": pays["pays_id"],
                    "label": pays["nom"],
                    "detail": pays_model.search_detail(pays),
                    "population": pays["population"],
                }
            )
        if (ti := self.get("ti")) is not None:
            cur = ti[ti["phase"] == ti["phase"].max()]
            frames["ti"] = pd.DataFrame(
                {
                    "id": cur["id_ti"],
                    "label": cur["lib_ti"],
                    "detail": "Territoire d'industrie",
                    "population": cur.get("population"),
                }
            )
        return frames


def load(out: Path | None = None, contributions: bool = True) -> Atlas:
    """Read every layer of a build directory (building it first if needed).

    With ``contributions`` (default), the proposals accepted in the contributions
    database (``ATLAS_DB``) are added to the case studies
    (:func:`geodata.contributions.publish.with_accepted`): no rebuild needed.
    """
    out = build.ensure_build(out, log=lambda _: None)
    read = lambda name: gpd.read_parquet(out / f"{name}.parquet")  # noqa: E731
    optional = {}
    for name in OPTIONAL:
        path = out / f"{name}.parquet"
        if not path.exists():
            optional[name] = None
        elif name == "territory_facts":
            optional[name] = pd.read_parquet(path)
        else:
            optional[name] = read(name)
    optional["pays"] = pays_model.with_national_petr(optional.get("pays"), optional.get("petr"))
    loaded = Atlas(
        out,
        read("communes"),
        read("epci_simplified"),
        read("departements"),
        read("regions"),
        optional,
        build.read_report(out),
    )
    if not contributions:
        return loaded
    from geodata.contributions import publish

    return publish.with_accepted(loaded, publish.accepted())
