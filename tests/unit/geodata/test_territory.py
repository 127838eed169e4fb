"""Territory ids (one syntax for every command and URL) and territory -> communes, outline."""

from __future__ import annotations

import geopandas as gpd
import pytest

from geodata import territory
from geodata.atlas import Atlas
from geodata.territory import TerritoryRef, parse_territory_id, territory_id
from geodata.vocab import CRS_METRIC
from tests.support.synthetic import embed_atlas


@pytest.mark.parametrize(
    "text, kind, code",
    [
        ("63430", "commune", "63430"),
        ("2A004", "commune", "2A004"),
        ("200035731", "epci", "200035731"),
        ("ti-8408", "ti", "ti-8408"),
        ("pays-langres", "pays", "pays-langres"),
        ("dep-63", "departement", "63"),
        ("dep-2A", "departement", "2A"),
        ("dep-971", "departement", "971"),
        ("reg-84", "region", "84"),
    ],
)
def test_each_kind_has_one_id_that_round_trips(text, kind, code):
    assert parse_territory_id(text) == TerritoryRef(kind, code)
    assert territory_id(kind, code) == parse_territory_id(text).id == text


@pytest.mark.parametrize(
    "alias, canonical",
    [
        ("epci:200035731", "200035731"),
        ("commune:42187", "42187"),
        ("dep:42", "dep-42"),
        ("departement:2A", "dep-2A"),
        ("reg:84", "reg-84"),
        ("region:84", "reg-84"),
        ("ti:ti-8408", "ti-8408"),
        ("ti:8408", "ti-8408"),
        ("pays:pays-langres", "pays-langres"),
        ("971", "dep-971"),
        ("42", "dep-42"),  # atlas embed --territory forms
        (" TI-8408 ", "ti-8408"),
        ("2a004", "2A004"),
        ("DEP-2a", "dep-2A"),
    ],
)
def test_old_embed_forms_and_other_spellings_are_aliases(alias, canonical):
    assert parse_territory_id(alias) == parse_territory_id(canonical)


@pytest.mark.parametrize(
    "text",
    [
        "Roanne",
        "planet:earth",
        "epci:",
        "1004",
        "ti-",
        "dep-1",
        "reg-8",
        "20003573",
        "case:roanne",
        "",
        "<script>",
    ],
)
def test_a_bad_id_is_refused_in_french_with_the_accepted_forms(text):
    with pytest.raises(ValueError, match="formes acceptées") as info:
        parse_territory_id(text)
    for form in ("63430", "200035731", "ti-8408", "pays-langres", "dep-63", "reg-84"):
        assert form in str(info.value)


@pytest.fixture
def atlas_with_groupings() -> Atlas:
    """embed_atlas plus a Pays of one EPCI and a TI listed in two phases."""
    base = embed_atlas()
    ti = gpd.GeoDataFrame(
        {
            "id_ti": ["ti-0101", "ti-0101"],
            "lib_ti": ["Ain", "Ain"],
            "phase": ["2018-2022", "2023-2027"],
            "members": ["200029999", "240100883;210100012"],
            "siren_epci": ["200029999", "240100883"],
            "member_communes": ["", "01002"],
        },
        geometry=[None, None],
        crs="EPSG:4326",
    )
    pays = gpd.GeoDataFrame(
        {"pays_id": ["pays-un"], "nom": ["Pays Un"], "members": ["200029999"]},
        geometry=[None],
        crs="EPSG:4326",
    )
    optional = {**base.optional, "ti": ti, "pays": pays}
    return Atlas(
        None, base.communes, base.epci, base.departements, base.regions, optional, base.report
    )


@pytest.mark.parametrize(
    "kind, ident, codes",
    [
        ("commune", "01004", {"01004"}),
        ("epci", "200029999", {"01001", "01002"}),
        ("departement", "01", {"01001", "01002", "01004", "01005"}),
        ("pays", "pays-un", {"01001", "01002"}),
        ("ti", "ti-0101", {"01002", "01004", "01005"}),  # its latest phase, with a member commune
        ("epci", "999999999", set()),
    ],
)
def test_communes_of_a_territory(atlas_with_groupings, kind, ident, codes):
    assert territory.commune_codes(atlas_with_groupings, kind, ident) == codes


def test_outline_dissolves_the_communes_of_the_territory(atlas_with_groupings):
    shape = territory.outline(atlas_with_groupings, "epci", "200029999")
    assert list(shape.columns) == ["id", "name", "geometry"] and shape.crs == "EPSG:4326"
    assert shape["name"].iloc[0] == "CC <b>Un</b>"  # text kept as is; escaped when drawn
    geom = shape.geometry.iloc[0]
    assert geom.geom_type == "Polygon"  # two adjacent squares, no seam left
    km2 = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(CRS_METRIC).area.iloc[0] / 1e6
    assert km2 == pytest.approx(200.0, rel=1e-3)
    assert territory.outline(atlas_with_groupings, "epci", "999999999") is None


def test_membership_lists_every_territory_of_a_kind(atlas_with_groupings):
    pairs = territory.membership(atlas_with_groupings, "epci")
    assert pairs.groupby("tid")["insee_com"].apply(set).to_dict() == {
        "200029999": {"01001", "01002"},
        "240100883": {"01004", "01005"},
    }
    ti = territory.membership(atlas_with_groupings, "ti")
    assert ti is territory.membership(atlas_with_groupings, "ti")  # computed once per atlas
    assert set(ti["tid"]) == {"ti-0101"}
    with pytest.raises(ValueError, match="kind must be one of"):
        territory.membership(atlas_with_groupings, "canton")
