"""À propos: what the atlas is, for whom, and how to use it."""

from __future__ import annotations

import streamlit as st

import pages  # noqa: F401  (a first visit here must leave Streamlit v1 mode: pages/__init__.py)

st.title("À propos de l'atlas")
st.markdown(
    """
L'**Atlas des coopérations territoriales** montre *qui coopère où* : intercommunalités
(EPCI), Pays et PETR, Territoires d'industrie, villes Action cœur de ville et Petites
villes de demain, tiers-lieux, clusters, et les études de cas de nos documents sources.

**Pour qui ?** Les élus régionaux qui explorent leur territoire, les délégations des
Territoires d'industrie qui préparent une visite, et le public.

**Comment ?**
- *Carte* : choisissez les couches (boutons à bascule, ✓ quand elle est affichée),
  filtrez par région, département, programme, type, thème ou texte ; recherchez un
  territoire ; cliquez sur une forme ou un point pour ouvrir sa fiche à droite.
  L'adresse de la page reproduit la vue : copiez-la pour la partager.
  Sous la carte, *Intégrer* donne le code `<iframe>` de la vue pour un site public.
- *Études de cas* : le tableau de toutes les études de cas et la fiche de chacune.
- *Territoire* : la fiche d'un Territoire d'industrie, d'un EPCI, d'un Pays ou d'une
  commune — composition, programmes, études de cas proches, territoires comparables —
  à télécharger en PDF, HTML, CSV, GeoJSON ou GeoPackage.
- *Données et sources* : millésimes, licences, effectifs et anomalies des données.

**Données personnelles.** L'atlas ne montre que des organisations et des fonctions :
aucun nom de personne avec adresse électronique ou numéro de téléphone.

**Hors ligne.** Les bibliothèques cartographiques sont servies par l'application ; sans
réseau, choisissez le fond « Aucun » : la carte reste complète.
"""
)
st.markdown(
    "**Accessibilité.** Ce que l'atlas respecte du RGAA, ce qui ne l'est pas encore, les "
    "alternatives proposées et comment signaler un problème :"
)
st.page_link(
    "pages/accessibilite.py", label="Déclaration d'accessibilité", icon=":material/accessibility:"
)
