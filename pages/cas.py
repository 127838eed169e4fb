"""Études de cas: the table of cases, one fiche per case, and the rows to correct."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geodata.briefing.model import case_departements
from geodata.model import ti as ti_model
from geodata.sources.documents import document_label, read_documents
from geodata.vocab import KINDS, LIST_SEP
from pages.ui import data
from pages.ui.markup import literal
from pages.ui.problems import problem_table

atlas = data.get_atlas()
cases = atlas.get("cases")
st.title("Études de cas")
if cases is None:
    st.warning("Les études de cas ne sont pas construites : lancez `atlas build`.")
    st.stop()


def kinds_fr(cell: str) -> str:
    """French labels of a ;-separated kinds cell."""
    return ", ".join(KINDS.get(k, k) for k in str(cell).split(LIST_SEP) if k)


def text(cell: object) -> str:
    """Return a cell as a reader sees it: an empty cell (None, NaN) reads as nothing."""
    return "" if cell is None or pd.isna(cell) else str(cell)


def named(table, id_col: str, codes: str, name_col: str = "nom") -> str:
    """``Name (code)`` of each territory of a ``;`` list, or the bare code when unknown."""
    out = []
    for code in filter(None, codes.split(LIST_SEP)):
        hit = None if table is None else table.loc[table[id_col] == code, name_col]
        out.append(f"{hit.iloc[0]} ({code})" if hit is not None and not hit.empty else code)
    return ", ".join(out)


def current_ti(ti):
    """Return the TI of the current phase (an id may name another TI in 2019)."""
    return None if ti is None else ti_model.current(ti)


PLACEMENTS = {
    "commune": "sur sa commune",
    "epci": "sur son intercommunalité",
    "pays": "sur tout le Pays",
    "ti": "sur tout le Territoire d'industrie",
}


@st.cache_data(show_spinner=False)
def places(case_ids: tuple[str, ...]) -> dict[str, str]:
    """Return each case's départements (``Loire (42), …``) by case id (keyed on the ids)."""
    built = data.get_atlas().get("cases")
    return dict(zip(built["id"], case_departements(data.get_atlas(), built), strict=True))


documents = read_documents()
departements = cases["id"].map(places(tuple(cases["id"]))).fillna("")
wanted = st.query_params.get("cas", "")
if wanted in set(cases["id"]):
    row = cases[cases["id"] == wanted].iloc[0]
    st.header(literal(row["name"]))
    st.caption(literal(" · ".join(t for t in (kinds_fr(row["kinds"]), text(row["theme"])) if t)))
    st.markdown(literal(row["summary"]))
    facts = {
        "Programmes": text(row["programmes"]).replace(LIST_SEP, ", "),
        "Commune": named(atlas.communes, "insee_com", text(row["insee_com"])),
        "Intercommunalité": named(atlas.epci, "siren_epci", text(row["siren_epci"])),
        "Pays": named(atlas.get("pays"), "pays_id", text(row["pays_id"])),
        "Territoire d'industrie": named(
            current_ti(atlas.get("ti")), "id_ti", text(row.get("id_ti")), "lib_ti"
        ),
        "Départements": departements.loc[row.name],
        "Début": text(row["start_year"]),
        "Partenaires et financeurs": text(row["partners"]).replace(LIST_SEP, ", "),
        "Chiffres clés": text(row["key_figures"]),
        "Document source": (  # a proposal's source is a web page or a document's title
            text(row["source_file"])
            if row.get("source") == "contribution"
            else document_label(row["source_file"], documents)
        ),
        "Passage du document": text(row["source_passage"]),
        "Placement sur la carte": PLACEMENTS.get(text(row["placement"]), text(row["placement"])),
        "À noter": text(row.get("note_public")),  # never "note": it is for the editors
    }
    # st.table reads Markdown: every cell is escaped to show its text as written.
    st.table(pd.DataFrame([(k, literal(v)) for k, v in facts.items() if v], columns=["", "Valeur"]))
    st.page_link(
        "pages/carte.py", label="Voir sur la carte", query_params={"sel": f"case:{wanted}"}
    )
    st.divider()
elif wanted:
    st.warning(f"Aucune étude de cas n'a l'identifiant « {literal(wanted)} ».")

table = pd.DataFrame(cases.drop(columns="geometry"))
table["Types"] = table["kinds"].map(kinds_fr)
table["Départements"] = departements
table["Document"] = table["source_file"].map(
    lambda f: documents["title"].get(f, "") if isinstance(f, str) else ""
)
shown = table[["name", "Types", "theme", "Départements", "start_year", "Document"]].fillna("")
st.subheader(f"Toutes les études de cas ({len(table)})")
event = st.dataframe(
    shown.rename(columns={"name": "Nom", "theme": "Thème", "start_year": "Début"}),
    hide_index=True,
    on_select="rerun",
    selection_mode="single-row",
    key="cases_table",
)
if event.selection.rows:
    st.query_params["cas"] = table.iloc[event.selection.rows[0]]["id"]
    st.rerun()

stage = atlas.report.stage("cases")
problems, unplaced = stage.problems_of(kind="case table"), stage.problems_of(kind="unplaced")
with st.expander(f"Données à corriger ({len(problems)} problèmes, {len(unplaced)} non placées)"):
    if problems or unplaced:
        st.dataframe(problem_table(problems + unplaced), hide_index=True)
    st.caption("Vérifiez une table avec `atlas check FICHIER` avant de la charger.")
