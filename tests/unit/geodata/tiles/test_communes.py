"""The attributes of the commune tiles: programmes, TI, Pays, population of each commune."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geodata.tiles.communes import FIELDS, commune_properties
from geodata.vocab import TI_CURRENT_PHASE
from tests.support.synthetic import four_communes


def _communes() -> gpd.GeoDataFrame:
    com = four_communes().assign(nom=["Ambérieu", "Bâgé", "Cerdon", "Dortan"], insee_reg="84")
    com["population"] = pd.array([100, None, 300, 400], dtype="Int64")
    return com


def _points(com, codes, **cols) -> gpd.GeoDataFrame:
    at = com.set_index("insee_com").loc[codes]
    return gpd.GeoDataFrame(
        {"insee_com": codes, **cols},
        geometry=at.geometry.representative_point().values,
        crs=com.crs,
    )


def test_each_commune_gets_its_programmes_territories_and_population():
    com = _communes()
    acv = _points(com, ["01001", "01001"], phase=["2018", "2023"])  # one town, both phases
    pvd = _points(com, ["01004"]).assign(insee_com="")  # no code: placed by its point
    ti = pd.DataFrame(
        {
            "id_ti": ["ti-1", "ti-2"],
            "lib_ti": ["TI un", "TI ancien"],
            "phase": [TI_CURRENT_PHASE, "2018-2022"],
            "siren_epci": ["200029999", "240100883"],
            "member_communes": ["01005", ""],
        }
    )
    pays = pd.DataFrame(
        {"pays_id": ["pays-a", "pays-b"], "nom": ["A", "B"], "members": ["240100883", "240100883"]}
    )
    prospective = gpd.GeoDataFrame(
        {"id_fabp": ["fp-1"]},
        geometry=[shapely.union_all(com.geometry.values[:2])],  # dissolved 01001 + 01002
        crs=com.crs,
    )
    layers = {
        "acv": acv,
        "pvd": pvd,
        "ti": ti,
        "pays": pays,
        "fabriques_prospectives": prospective,
        "france_services": None,
    }
    props = commune_properties(com, layers).set_index("code")
    assert list(props.reset_index().columns) == list(FIELDS)
    assert props.loc["01001", "prog"] == "acv;ti;fabriques_prospectives"  # PROGRAMMES order
    assert props.loc["01001", "n_prog"] == 3
    assert props.loc["01004", "prog"] == "pvd"  # the old phase's TI is not current
    assert props.loc["01005", "prog"] == "ti"  # a member commune of a TI
    assert props.loc["01005", "ti"] == "ti-1" and props.loc["01004", "ti"] == ""
    assert props.loc["01004", "pays"] == "pays-a;pays-b" and props.loc["01001", "pays"] == ""
    assert props.loc["01002", "pop"] == -1 and props.loc["01004", "pop"] == 300
    assert props.loc["01002", "epci"] == "200029999" and props.loc["01002", "dep"] == "01"


def test_without_any_programme_layer_every_commune_is_in_none():
    props = commune_properties(_communes(), {})
    assert set(props["prog"]) == {""} and set(props["n_prog"]) == {0}
    assert props["code"].tolist() == ["01001", "01002", "01004", "01005"]
