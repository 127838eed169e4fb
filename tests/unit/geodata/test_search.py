"""Place search by name or code."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.search import build_index, normalise, search, without_article


@pytest.fixture
def index():
    """Communes and EPCI with realistic codes, including homonyms and accents."""
    return build_index(
        {
            "commune": pd.DataFrame(
                {
                    "id": ["42187", "42188", "2A004", "42218"],
                    "label": ["Roanne", "Roannais-sur-Loire", "Ajaccio", "Saint-Étienne"],
                    "detail": ["Commune (42)", "Commune (42)", "Commune (2A)", "Commune (42)"],
                    "population": [34000, 500, 70000, 170000],
                }
            ),
            "epci": pd.DataFrame(
                {
                    "id": ["200035731"],
                    "label": ["Roannais Agglomération"],
                    "detail": ["EPCI CA"],
                    "population": [100000],
                }
            ),
        }
    )


def test_exact_name_comes_first(index):
    assert search(index, "Roanne").iloc[0][["kind", "id"]].tolist() == ["commune", "42187"]


def test_prefix_matches_follow_ranked_by_kind_then_population(index):
    ids = search(index, "roann")["id"].tolist()
    assert ids == ["42187", "42188", "200035731"]


def test_accents_hyphens_and_case_are_ignored(index):
    assert search(index, "saint etienne")["id"].tolist() == ["42218"]


def test_code_search_finds_corsican_and_epci_codes(index):
    assert search(index, "2A004")["label"].tolist() == ["Ajaccio"]
    assert search(index, "200035731")["kind"].tolist() == ["epci"]


def test_empty_query_returns_nothing(index):
    assert search(index, "   ").empty


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="detail"):
        build_index({"commune": pd.DataFrame({"id": ["1"], "label": ["x"]})})


PLACES = build_index(
    {
        "commune": pd.DataFrame(
            {
                "id": ["01001", "2A004", "43157", "42218", "06120"],
                "label": [
                    "L'Abergement-Clémenciat",
                    "Ajaccio",
                    "Le Puy-en-Velay",
                    "Saint-Étienne",
                    "Saint-Étienne-de-Tinée",
                ],
                "detail": [
                    "Commune (01)",
                    "Commune (2A)",
                    "Commune (43)",
                    "Commune (42)",
                    "Commune (06)",
                ],
                "population": [800, 70000, 19000, 170000, 1500],
            }
        ),
        "epci": pd.DataFrame(
            {"id": ["200035731"], "label": ["Roannais Agglomération"], "detail": ["EPCI CA"]}
        ),
    }
)
KNOWN = [*PLACES["label"], *PLACES["id"]]
QUERIES = st.one_of(
    st.text(), st.sampled_from(KNOWN), st.sampled_from(KNOWN).map(lambda s: f"  {s.upper()} ")
)


@settings(deadline=None)  # pandas on a busy machine: no per-example deadline
@given(QUERIES)
def test_any_text_finds_only_places_that_match_it_and_the_named_place(query):
    hits = search(PLACES, query)
    q = normalise(query)
    assert q == " ".join(q.split()) and not set(q) & set("-'’")
    assert len(hits) <= 10 and not hits.duplicated(["kind", "id"]).any()
    assert set(zip(hits["kind"], hits["id"], strict=True)) <= set(
        zip(PLACES["kind"], PLACES["id"], strict=True)
    )
    code = query.strip().lower()
    for _, hit in hits.iterrows():
        assert hit["id"].lower() == code or q in hit["key"], (query, hit["label"])
    named = PLACES[((PLACES["key"] == q) & (q != "")) | (PLACES["id"].str.lower() == code)]
    assert set(named["id"]) <= set(hits["id"])


@pytest.fixture
def articled():
    """Communes whose official name starts with an article, beside names without one."""
    return build_index(
        {
            "commune": pd.DataFrame(
                {
                    "id": [
                        "43157",
                        "63291",
                        "78440",
                        "32160",
                        "86112",
                        "84054",
                        "51302",
                        "53130",
                        "50615",
                        "36018",
                        "93007",
                        "59481",
                        "59482",
                    ],
                    "label": [
                        "Le Puy-en-Velay",
                        "Puy-Guillaume",
                        "Les Mureaux",
                        "L'Isle-Jourdain",
                        "L'Isle-Jourdain",
                        "L'Isle-sur-la-Sorgue",
                        "Isles-sur-Suippe",
                        "Laval",
                        "Valognes",
                        "Le Blanc",
                        "Le Blanc-Mesnil",
                        "Le Quesnoy",
                        "Quesnoy-sur-Deûle",
                    ],
                    "detail": [
                        "Commune (43)",
                        "Commune (63)",
                        "Commune (78)",
                        "Commune (32)",
                        "Commune (86)",
                        "Commune (84)",
                        "Commune (51)",
                        "Commune (53)",
                        "Commune (50)",
                        "Commune (36)",
                        "Commune (93)",
                        "Commune (59)",
                        "Commune (59)",
                    ],
                    "population": [
                        18995,
                        2700,
                        32792,
                        8851,
                        1300,
                        19300,
                        1500,
                        49700,
                        6700,
                        6389,
                        56783,
                        4934,
                        6758,
                    ],
                }
            )
        }
    )


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("puy en velay", "Le Puy-en-Velay"),
        ("le puy", "Le Puy-en-Velay"),
        ("puy", "Le Puy-en-Velay"),  # the town before Puy-Guillaume, its name starts with "puy"
        ("mureaux", "Les Mureaux"),
        ("isle jourdain", "L'Isle-Jourdain"),
        ("l'isle", "L'Isle-sur-la-Sorgue"),
        ("isle", "L'Isle-sur-la-Sorgue"),  # before the smaller Isles-sur-Suippe
    ],
)
def test_article_of_a_name_is_optional_in_the_query(articled, query, first):
    assert search(articled, query).iloc[0]["label"] == first


def test_name_without_its_article_ranks_with_the_names_it_starts(articled):
    # "blanc" is the whole name of Le Blanc (Indre) and the start of the larger Le
    # Blanc-Mesnil: a reader looking for a place by its start gets the larger one first
    # (as Clermont-Ferrand before Clermont, Oise); both are found without their article
    assert search(articled, "blanc")["id"].tolist() == ["93007", "36018"]
    assert set(search(articled, "quesnoy")["id"]) == {"59481", "59482"}
    # both L'Isle-Jourdain (Gers, Vienne) are exact matches: the larger first
    assert search(articled, "isle jourdain")["id"].tolist() == ["32160", "86112"]


def test_a_word_starting_like_an_article_is_not_one(articled):
    assert without_article("laval") == "laval"
    assert without_article("les") == "les"  # a name that is only an article stays whole
    # Laval is not "La val": Valognes starts with "val", Laval only contains it
    assert search(articled, "val")["id"].tolist() == ["50615", "53130"]


@pytest.fixture
def clermonts():
    """Homonyms: a city whose name starts with the query, a smaller exact homonym, an EPCI."""
    return build_index(
        {
            "commune": pd.DataFrame(
                {
                    "id": ["60157", "63113", "34079", "63430"],
                    "label": ["Clermont", "Clermont-Ferrand", "Clermont-l'Hérault", "Thiers"],
                    "detail": ["Commune (60)"] + ["Commune (63)", "Commune (34)", "Commune (63)"],
                    "population": [10_000, 147_000, 9_000, 11_000],
                    "regs": ["32", "84", "76", "84"],
                    "tis": ["", "ti-8404", "", "ti-8408"],
                }
            ),
            "epci": pd.DataFrame(
                {
                    "id": ["246300701"],
                    "label": ["Clermont Auvergne Métropole"],
                    "detail": ["EPCI ME"],
                    "population": [290_000],
                    "regs": ["84"],
                }
            ),
            "ti": pd.DataFrame(
                {
                    "id": ["ti-8404", "ti-8408", "ti-8401"],
                    "label": [
                        "Clermont Arverne Industrie",
                        "Lezoux – Thiers – Ambert – Montbrison",
                        "Thiers Nord",  # a TI whose name starts with the query
                    ],
                    "detail": ["Territoire d'industrie"] * 3,
                    "population": [300_000, 200_000, 1_000],
                }
            ),
            "region": pd.DataFrame(
                {"id": ["84"], "label": ["Auvergne-Rhône-Alpes"], "detail": ["Région"]}
            ),
        }
    )


def test_kind_and_population_first_not_the_exact_homonym(clermonts):
    ids = search(clermonts, "Clermont")["id"].tolist()
    # communes by population, then the EPCI and the TI starting so
    assert ids[:3] == ["63113", "60157", "34079"]
    assert ids.index("246300701") < ids.index("ti-8404")


def test_the_active_region_comes_first_within_its_rank(clermonts):
    assert search(clermonts, "Clermont", region="32")["id"].iloc[0] == "60157"
    assert search(clermonts, "Clermont", region="84")["id"].iloc[0] == "63113"


def test_a_town_named_exactly_brings_its_ti_right_after_it(clermonts):
    ids = search(clermonts, "Thiers")["id"].tolist()
    assert ids[:2] == ["63430", "ti-8408"]  # not only by containing "thiers", last
    assert "ti-8401" in ids


def test_an_exact_name_stays_in_a_short_list(clermonts):
    assert "60157" in search(clermonts, "clermont", limit=1)["id"].tolist()
