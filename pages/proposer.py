"""Proposer une coopération: the public form, and the status of a reference number."""

from __future__ import annotations

import uuid

import streamlit as st

from geodata import search
from geodata.contributions import intake
from geodata.contributions.store import STATUS_FR
from geodata.contributions.validate import FIELDS
from geodata.dates import format_datetime_fr
from geodata.vocab import ID_TI, INSEE_COM, KINDS, LIST_SEP, PAYS_ID, SIREN_EPCI
from pages.ui import data
from pages.ui.markup import CHOOSE, literal

PLACE_FIELD = {"commune": INSEE_COM, "epci": SIREN_EPCI, "pays": PAYS_ID, "ti": ID_TI}
LABELS = {
    "name": "Nom de la coopération",
    "kinds": "Type(s)",
    "theme": "Thème",
    "partners": "Partenaires et financeurs",
    "key_figures": "Chiffres clés",
    "summary": "Résumé",
    "start_year": "Année de début",
    "source_file": "Source",
    "lat": "Latitude",
    "lon": "Longitude",
    "contact_email": "E-mail de contact",
    "place": "Lieu",
    INSEE_COM: "Commune",
    SIREN_EPCI: "Intercommunalité",
    PAYS_ID: "Pays",
    ID_TI: "Territoire d'industrie",
}

st.title("Proposer une coopération")
st.markdown(
    "Votre territoire, votre cluster ou votre tiers-lieu mène une coopération économique ? "
    "Proposez-la : l'équipe de l'atlas la relit, puis elle apparaît sur la carte et dans "
    "les *Études de cas*, avec la mention « proposé par le territoire »."
)
st.info(
    "Données personnelles : l'e-mail de contact est facultatif ; seuls les modérateurs le "
    "voient, il n'est jamais publié ni exporté, et il est effacé dès que la proposition est "
    "acceptée ou renvoyée. Les textes publics ne doivent contenir ni adresse e-mail ni "
    "numéro de téléphone."
)
store = data.contributions()
session_id = st.session_state.setdefault("proposal_session", uuid.uuid4().hex)

with st.expander("Suivre une proposition"):
    ref = st.text_input("Numéro de référence", placeholder="CT-XXXX-XXXX")
    if ref.strip():
        found = store.by_reference(ref)
        if found is None:
            st.warning(literal(f"Aucune proposition n'a la référence « {ref.strip()} »."))
        else:
            st.write(literal(f"« {found.name} » : {STATUS_FR[found.status]}"))
            if found.reason:
                st.write(literal(f"Motif du renvoi : {found.reason}"))

atlas = data.get_atlas()
values: dict[str, str] = {}
values["name"] = st.text_input(LABELS["name"], max_chars=200)
kinds = st.multiselect(
    LABELS["kinds"],
    list(KINDS),
    format_func=KINDS.__getitem__,
    placeholder=CHOOSE,
    select_all=False,  # Streamlit's "Select all" is English
)
values["kinds"] = LIST_SEP.join(kinds)
values["theme"] = st.text_input(LABELS["theme"], max_chars=200, placeholder="industrie, numérique…")
how = st.radio("Placer la coopération", ["Sur un territoire", "Sur un point"], horizontal=True)
if how == "Sur un territoire":
    query = st.text_input(
        "Territoire (commune, intercommunalité, Pays, Territoire d'industrie)",
        placeholder="Roanne, 200035731, ti-8408…",
    )
    found = search.search(atlas.search_index, query, limit=20) if query.strip() else None
    if found is not None:
        found = found[found["kind"].isin(list(PLACE_FIELD))]
        if found.empty:
            st.info(literal(f"Aucun territoire ne correspond à « {query} »."))
        else:
            labels = [f"{r.label} — {r.detail} ({r.id})" for r in found.itertuples()]
            choice = st.selectbox(
                "Territoire choisi",
                range(len(labels)),
                format_func=labels.__getitem__,
                placeholder=CHOOSE,
            )
            kind, ident = found.iloc[choice][["kind", "id"]]
            values[PLACE_FIELD[str(kind)]] = str(ident)
else:
    values["lat"] = st.text_input("Latitude (degrés WGS 84)", placeholder="45.0361")
    values["lon"] = st.text_input("Longitude (degrés WGS 84)", placeholder="4.0676")
values["summary"] = st.text_area(LABELS["summary"], max_chars=1000)
values["partners"] = st.text_input(LABELS["partners"], max_chars=2000, help="séparés par ;")
values["key_figures"] = st.text_input(LABELS["key_figures"], max_chars=2000)
values["start_year"] = st.text_input(LABELS["start_year"], max_chars=4)
values["source_file"] = st.text_input(
    "Source (adresse d'une page web publique ou titre d'un document)", max_chars=2000
)
contact = st.text_input("E-mail de contact (facultatif, modérateurs seulement)", max_chars=254)
# A field people do not see (hidden by style), which bots fill in.
st.html("<style>.st-key-hp_website{display:none}</style>")
honeypot = st.text_input("Site web (laisser vide)", key="hp_website")
confirmed = st.session_state.get("proposal_similar") == values.get("name") and st.checkbox(
    "Ma proposition est différente des coopérations citées ci-dessus"
)

if st.button("Envoyer la proposition", type="primary"):
    outcome = intake.submit_proposal(
        store,
        {f: values.get(f, "") for f in FIELDS},
        contact,
        honeypot=honeypot,
        session_id=session_id,
        confirmed_new=confirmed,
        cases=atlas.get("cases"),
    )
    if outcome.status in ("stored", "ignored"):
        st.session_state.pop("proposal_similar", None)
    if outcome.status == "stored":
        st.success(
            literal(
                f"Merci ! Votre proposition est enregistrée sous la référence "
                f"{outcome.proposal.reference} : notez-la pour suivre son examen."
            )
        )
    elif outcome.status == "ignored":
        st.success("Merci !")
    elif outcome.status == "duplicate":
        p = outcome.proposal
        st.warning(
            literal(
                f"Cette coopération est déjà proposée (référence {p.reference}, "
                f"{STATUS_FR[p.status]}, le {format_datetime_fr(p.created_at)})."
            )
        )
    elif outcome.status == "limited":
        st.error("Trop de propositions en peu de temps : réessayez dans une heure.")
    elif outcome.status == "similar":
        st.session_state["proposal_similar"] = values.get("name")
        st.warning("Vouliez-vous dire l'une de ces coopérations, déjà dans l'atlas ou proposées ?")
        for name in outcome.similar:
            st.write(literal(f"• {name}"))
        st.caption("Si la vôtre est différente, cochez la case au-dessus du bouton et renvoyez.")
    else:
        st.error("La proposition n'est pas enregistrée : corrigez ces champs.")
        for problem in outcome.problems:
            if problem.severity == "error":
                label = LABELS.get(problem.field, problem.field)
                st.write(literal(f"{label} : {problem.fix.removeprefix('attendu : ')}"))
