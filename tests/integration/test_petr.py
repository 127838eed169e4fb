"""The national PETR layer on the real snapshot (opendata/banatic, EPCI of 2025)."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geodata import search, territory
from geodata.briefing import document as briefing_document
from geodata.briefing import model as briefing
from geodata.build import runner as build
from layers.registry import layer_frames

pytestmark = pytest.mark.integration
CLERMONT = "pays-200048171"  # PETR Grand Clermont (BANATIC, 2022 list)
BILLOM = "200067627"  # CC Billom Communauté, a member EPCI of the PETR Grand Clermont


def test_at_least_100_petr_are_drawn_and_every_problem_says_why(real_build):
    petr = gpd.read_parquet(real_build / "petr.parquet")
    stage = build.read_report(real_build).stage("petr")

    assert len(petr) >= 100 and petr["siren"].str.fullmatch(r"\d{9}").all()
    assert petr.geometry.notna().all() and petr.geometry.is_valid.all()
    assert (petr["population"] > 0).all()
    assert stage.problems and all(p.reason and p.fix for p in stage.problems)
    c = stage.counts
    parts = ("adhesions_used", "adhesions_reported", "adhesions_other")
    assert c["adhesions_rows"] == sum(c[k] for k in parts)
    assert c["petr_listed"] == c["petr_drawn"] + c["petr_no_member"] == 124
    vintages = " ".join(s.vintage for s in stage.sources)
    assert "2022" in vintages and "2025" in vintages
    assert all(s.licence == "Licence Ouverte 2.0" and s.version for s in stage.sources)


def test_the_map_draws_the_national_petr_with_the_curated_pays(real_atlas):
    frame = layer_frames(real_atlas)["pays"]
    assert frame["curated"].sum() == 10 and (~frame["curated"]).sum() >= 100
    curated = frame[frame["curated"]]
    assert curated["population_2015"].notna().any()  # the monographs' figures are kept


def test_search_finds_a_petr_by_name(real_atlas):
    hits = search.search(real_atlas.search_index, "Grand Clermont")
    assert (hits.iloc[0]["kind"], hits.iloc[0]["id"]) == ("pays", CLERMONT)
    assert hits.iloc[0]["detail"] == "PETR (BANATIC)"


def test_the_panel_and_the_briefing_of_an_epci_name_its_petr(real_atlas):
    t = territory.describe(real_atlas, "epci", BILLOM)
    assert t.memberships["PETR"] == ["PETR Grand Clermont"]

    b = briefing.make_briefing(real_atlas, "epci", BILLOM)
    texts = [block.text for block in briefing_document.document(b).blocks]
    assert "PETR : PETR Grand Clermont" in texts
