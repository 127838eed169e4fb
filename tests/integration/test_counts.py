"""One definition of every count: the map panel, the fiche and the briefing agree.

On the real build, for a sample of every kind of territory (a TI, an EPCI, a commune, a
Pays, a département, a région): the panel's programme counts and case list, the fiche's
table and the briefing's page-1 block give the same numbers, read from the facts stage.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from geodata.briefing import document
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf
from geodata.numbers import fmt_int
from geodata.vocab import POINT_PROGRAMMES
from geodata.vocab import PROGRAMMES as VOCAB
from pages.ui import fiche, panel

pytestmark = pytest.mark.integration

SAMPLE = [
    ("ti", "ti-8408"),  # Thiers and Montbrison are in both ACV phases
    ("epci", "200070712"),  # Thiers Dore et Montagne: inside the Pays Vallée de la Dore
    ("commune", "63430"),  # Thiers
    ("pays", "pays-vallee-dore"),
    ("departement", "63"),
    ("region", "84"),
]


@pytest.fixture(scope="module")
def briefings(real_atlas) -> dict[tuple[str, str], briefing.Briefing]:
    """The briefing of each territory of the sample."""
    return {(k, i): briefing.make_briefing(real_atlas, k, i) for k, i in SAMPLE}


@pytest.mark.parametrize("kind, ident", SAMPLE)
def test_panel_fiche_and_briefing_show_the_same_counts(real_atlas, briefings, kind, ident):
    b = briefings[(kind, ident)]
    # the map panel (zeros left out there)
    on_panel = panel.programme_counts(real_atlas, kind, ident)
    panel_cases = panel.cases_in(real_atlas, kind, ident)
    # the fiche's table and the briefing's page-1 block (every programme, zeros included)
    on_fiche = dict(fiche.counts_table(b).itertuples(index=False))
    on_cover = dict(document.key_counts(b))
    for key in POINT_PROGRAMMES:
        label = VOCAB[key].plural
        assert on_panel.get(label, 0) == b.counts[key], (label, on_panel, b.counts)
        assert on_fiche[label] == on_cover[label] == fmt_int(b.counts[key]), label
    assert sorted(panel_cases["id"]) == sorted(b.cases_inside["id"])
    assert on_fiche[fiche.CASES_LABEL] == on_cover[fiche.CASES_LABEL] == fmt_int(len(panel_cases))
    assert b.counts["cases"] == len(b.cases_inside) == real_atlas.counts(kind, ident)["cases"]
    # a case is either inside or nearby, never both
    assert not set(b.cases_inside["id"]) & set(b.cases_nearby["id"])


def test_rules_a_user_expects_on_thiers(briefings):
    ti, epci = briefings[("ti", "ti-8408")], briefings[("epci", "200070712")]
    # Thiers and Montbrison are listed in both ACV phases: two ACV towns, not four
    assert ti.counts["acv"] == 2
    assert set(ti.programmes["acv"]["commune"]) == {"Thiers", "Montbrison"}
    # the Pays Vallée de la Dore lies wholly in the TI: its cases are the TI's too
    assert "dore-esprit-thiers" in set(ti.cases_inside["id"])
    # ... but the Pays is larger than the EPCI of Thiers: there they are nearby, at 0 km
    near = epci.cases_nearby.set_index("id")
    assert "dore-esprit-thiers" not in set(epci.cases_inside["id"])
    assert near.loc["dore-esprit-thiers", "distance_km"] == 0


def test_counts_of_a_region_add_up_its_departements(real_atlas):
    facts = real_atlas.territory_facts()
    deps = real_atlas.departements
    in_84 = deps.loc[deps["insee_reg"] == "84", "code"] if "insee_reg" in deps else None
    if in_84 is None:  # départements without their région: take it from the communes
        com = real_atlas.communes
        in_84 = com.loc[com["insee_reg"] == "84", "insee_dep"].unique()
    rows = facts[(facts["territory_type"] == "departement") & facts["territory_id"].isin(in_84)]
    region = real_atlas.counts("region", "84")
    for key in ("acv", "pvd", "france_services"):
        assert region[key] == rows[f"n_{key}"].sum() > 0, key


def test_ti_8408_pdf_text_carries_the_panel_counts(real_atlas, briefings):
    b = briefings[("ti", "ti-8408")]
    reader = PdfReader(io.BytesIO(briefing_pdf.pdf_bytes(real_atlas, b)))
    first = " ".join(reader.pages[0].extract_text().split())
    for label, n in panel.programme_counts(real_atlas, "ti", "ti-8408").items():
        assert f"{label} {n}" in first, label
    assert f"{fiche.CASES_LABEL} {len(panel.cases_in(real_atlas, 'ti', 'ti-8408'))}" in first
