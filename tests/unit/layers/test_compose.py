"""The map of one view: what each layer sends the browser, capped for big point layers."""

from __future__ import annotations

import json
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layers import site
from layers.compose import MAX_FEATURES, MapView, cap_notice, compose_map
from layers.geojson import StaticFiles
from tests.support import synthetic
from tests.support.export_files import layer_data

N_POINTS = 50_000


@pytest.fixture(scope="module")
def many_cases() -> gpd.GeoDataFrame:
    """50,000 synthetic case points, the last 25,000 in the Loire (42), the others in Ain."""
    rng = np.random.default_rng(0)
    ids = [f"cas-{i}" for i in range(N_POINTS)]
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "name": ids,
            "kinds": "cluster",
            "programmes": "",
            "theme": "industrie",
            "insee_dep": ["01"] * (N_POINTS // 2) + ["42"] * (N_POINTS // 2),
            "summary": "",
        },
        geometry=gpd.points_from_xy(rng.uniform(4, 5, N_POINTS), rng.uniform(45, 46, N_POINTS)),
        crs="EPSG:4326",
    )


def _sent(store: StaticFiles) -> list[dict]:
    """The features of the one GeoJSON file the map wrote."""
    (path,) = store.written
    return json.loads(path.read_text())["features"]


def test_a_big_point_layer_sends_at_most_the_cap_and_says_so(many_cases, tmp_path):
    store = StaticFiles(tmp_path)
    _, drawn, _ = compose_map({"cases": many_cases}, MapView(layers=("cases",)), store)
    assert len(_sent(store)) == MAX_FEATURES
    assert drawn[0].capped == (MAX_FEATURES, N_POINTS)
    assert cap_notice(drawn[0]) == (
        "Étude de cas : 20\u202f000 éléments affichés sur 50\u202f000 : filtrez (région, "
        "département, type, thème ou texte) pour voir les autres."
    )


def test_over_the_cap_the_filters_choose_what_is_sent_selection_first(many_cases, tmp_path):
    store = StaticFiles(tmp_path)
    view = MapView(layers=("cases",), departements=["42"], highlight={"case": "cas-49999"})
    _, drawn, _ = compose_map({"cases": many_cases}, view, store)
    sent = _sent(store)
    assert len(sent) == MAX_FEATURES and drawn[0].capped == (MAX_FEATURES, N_POINTS // 2)
    assert {f["properties"]["insee_dep"] for f in sent} == {"42"}
    assert sent[0]["properties"]["id"] == "cas-49999"


def test_a_layer_within_the_cap_is_sent_whole_without_notice(many_cases, tmp_path):
    store = StaticFiles(tmp_path)
    small = many_cases.iloc[:1000]
    _, drawn, _ = compose_map({"cases": small}, MapView(layers=("cases",)), store)
    assert len(_sent(store)) == 1000 and drawn[0].capped is None and cap_notice(drawn[0]) == ""


def test_the_table_twin_lists_the_features_the_capped_map_draws(many_cases, tmp_path):
    store = StaticFiles(tmp_path)
    view = MapView(layers=("cases",), highlight={"case": "cas-49999"})
    _, drawn, _ = compose_map({"cases": many_cases}, view, store)
    communes = pd.DataFrame({"insee_com": ["01001"], "nom": ["L'Abergement"]})
    table = site.features_table({"cases": many_cases}, drawn, communes)
    drawn_names = {f["properties"]["name"] for f in _sent(store)}
    assert len(table) == MAX_FEATURES  # not the 50,000 that match
    assert set(table["Nom"]) == drawn_names and "cas-49999" in drawn_names


def test_the_static_export_writes_at_most_the_cap_and_says_so(many_cases, tmp_path):
    base = synthetic.embed_atlas()
    big = replace(base, optional={**base.optional, "cases": many_cases.assign(insee_com="01001")})
    result = site.export_site(tmp_path / "site", big, layers=["cases"])
    assert result.capped == {"cases": (MAX_FEATURES, N_POINTS)}
    assert len(layer_data(tmp_path / "site" / "data", "cases")["features"]) == MAX_FEATURES
    config = json.loads((tmp_path / "site" / "data" / "config.json").read_text())
    assert "20\u202f000 premiers éléments exportés sur 50\u202f000" in config["attribution"]
