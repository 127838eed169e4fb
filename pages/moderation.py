"""Modération: log in, review the pending proposals, accept / edit then accept / return.

Moderators are created with ``atlas moderators add NAME``. Every change names the
version the moderator saw: a proposal changed meanwhile by someone else is refused with
who and when ("rechargez"). The contact e-mail is shown here only.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from geodata.contributions import validate
from geodata.contributions.store import PENDING, STATUS_FR, LoginRefused, NotFound, Stale
from geodata.dates import format_datetime_fr
from pages.ui import data
from pages.ui.markup import CHOOSE, literal

EDITABLE = (
    "name",
    "kinds",
    "theme",
    "insee_com",
    "siren_epci",
    "id_ti",
    "pays_id",
    "lat",
    "lon",
    "summary",
    "partners",
    "key_figures",
    "start_year",
    "source_file",
    "note_public",
)

st.title("Modération des propositions")
store = data.contributions()
if os.environ.get("ATLAS_MODERATION", "login") == "proxy":
    # Behind the organisation's single sign-on (README): the reverse proxy authenticated
    # the moderator and sends their name in this header; no atlas login.
    user = st.context.headers.get(os.environ.get("ATLAS_AUTH_HEADER", "X-Forwarded-User"))
    who = (user, "moderator") if user else None
    if who is None:
        st.error("Accès réservé : aucune identité transmise par le proxy d'authentification.")
        st.stop()
else:
    who = store.session(st.session_state.get("moderation_token"))

if who is None:
    st.session_state.pop("moderation_token", None)
    name = st.text_input("Nom du modérateur")
    password = st.text_input("Mot de passe", type="password")
    if st.button("Se connecter", type="primary"):
        try:
            st.session_state["moderation_token"] = store.login(name, password)
            st.rerun()
        except LoginRefused as error:
            st.error(str(error))
    st.caption("Un administrateur crée les comptes avec la commande « atlas moderators add NOM ».")
    st.stop()

me, role = who
st.caption(literal(f"Connecté : {me} ({'administrateur' if role == 'admin' else 'modérateur'})"))
if "moderation_token" in st.session_state and st.button("Se déconnecter"):
    store.logout(st.session_state.pop("moderation_token"))
    st.rerun()

show = st.radio("Afficher", ["En attente", "Toutes"], horizontal=True)
proposals = store.proposals(PENDING if show == "En attente" else None)
if not proposals:
    st.info("Aucune proposition à afficher.")
    st.stop()
labels = {p.id: f"n° {p.id} — {p.name} ({STATUS_FR[p.status]})" for p in proposals}
pid = st.selectbox("Proposition", list(labels), format_func=labels.__getitem__, placeholder=CHOOSE)
try:
    current = store.get(pid)
except NotFound:
    st.rerun()
# The version this moderator is looking at: kept until they reload, so a change made
# meanwhile by someone else is detected when they act.
seen = st.session_state.setdefault("seen_versions", {})
version = seen.setdefault(pid, current.version)
if current.version != version:
    st.warning(
        literal(
            f"Modifiée par {current.updated_by} le {format_datetime_fr(current.updated_at)} "
            "depuis que vous l'avez ouverte : rechargez-la."
        )
    )
if st.button("Recharger"):
    seen[pid] = current.version
    st.rerun()

st.subheader(literal(current.name))
rows = [(k, literal(v)) for k, v in current.data.items() if v]
rows += [
    ("Référence", literal(current.reference)),
    ("Statut", STATUS_FR[current.status]),
    ("Version", str(current.version)),
    ("Contact (privé)", literal(store.contact(pid) or "—")),
]
if current.reason:
    rows.append(("Motif du renvoi", literal(current.reason)))
st.table(pd.DataFrame(rows, columns=["Champ", "Valeur"]))


def act(action, *args) -> None:
    """Run a decision; say what happened, or why it was refused."""
    try:
        done = action(pid, me, version, *args)
    except (Stale, ValueError) as error:
        st.error(literal(str(error)))
        return
    seen.pop(pid, None)
    if done.status != PENDING:
        with st.spinner("Mise à jour de la carte publique…"):
            data.publish_decision()
    st.success(literal(f"Proposition n° {done.id} {STATUS_FR[done.status]}."))


if current.status == PENDING:
    with st.expander("Modifier avant d'accepter"):
        edited = {
            f: st.text_input(f, value=str(current.data.get(f, "")), key=f"edit-{pid}-{version}-{f}")
            for f in EDITABLE
        }
        if st.button("Enregistrer et accepter"):
            clean, problems = validate.check_form({**current.data, **edited})
            if clean is None:
                for problem in problems:
                    st.error(literal(f"{problem.field} : {problem.fix}"))
            else:
                act(store.accept, clean)
    if st.button("Accepter", type="primary"):
        act(store.accept)
    reason = st.text_area("Motif du renvoi (montré à qui a proposé)")
    if st.button("Renvoyer avec ce motif"):
        act(store.send_back, reason)

with st.expander("Historique"):
    history = store.history(pid)
    st.table(
        pd.DataFrame(
            [
                (
                    h["version"],
                    format_datetime_fr(h["at"]),
                    literal(h["by_name"]),
                    h["action"],
                    literal(h["note"] or ""),
                    literal(", ".join(f"{k}={v}" for k, v in h["data"].items() if v)),
                )
                for h in history
            ],
            columns=["Version", "Quand", "Qui", "Quoi", "Motif", "Données"],
        )
    )
