"""Déclaration d'accessibilité (RGAA 4.1): the state of conformity as measured, and whom to tell.

The figures come from the automated audit of the browser tests
(``tests/e2e/test_accessibility.py``: axe-core, WCAG 2.0 and 2.1 A/AA rules, every frame
of every page); update :data:`AUDIT_DATE` and the text when the audit or its exceptions
change. Static text only: nothing from the data.
"""

from __future__ import annotations

import os

import streamlit as st

from pages.ui.markup import literal

AUDIT_DATE = "1er décembre 2026"
# The publishing organisation's own address (a team's, never a person's), set at deployment;
# none is invented here.
CONTACT = os.environ.get("ATLAS_ACCESSIBILITY_CONTACT", "").strip()
WRITE_TO = (
    f"à l'équipe de l'atlas : **{literal(CONTACT)}** (adresse de l'équipe, pas d'une personne)"
    if CONTACT
    else "à l'organisme qui publie l'atlas, par le contact indiqué sur son site"
)

st.title("Déclaration d'accessibilité")
st.markdown(
    f"""
L'**Atlas des coopérations territoriales** s'engage à rendre ses pages accessibles
conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005. Cette déclaration
s'applique au tableau de bord (pages *Carte*, *Études de cas*, *Territoire*, *Données et
sources*, *À propos*, *Proposer une coopération*, *Modération*), à la carte intégrable
(`?embed=1`), à l'export statique de la carte (`atlas embed`) et aux fiches territoire
(HTML et PDF).

### État de conformité

L'atlas est **partiellement conforme** au référentiel général d'amélioration de
l'accessibilité (RGAA 4.1, fondé sur les WCAG 2.1 niveau AA) : aucun audit manuel complet
des 106 critères n'a encore été mené.

### Résultats des tests

Audit automatisé du {AUDIT_DATE}, refait à chaque exécution des tests de l'atlas : les
règles WCAG 2.0 et 2.1 niveaux A et AA d'axe-core, dans chaque cadre (*iframe*) de chaque
page, dans Chromium. **Aucune erreur** sur les pages de l'atlas, la carte intégrable,
l'export statique et la fiche HTML. Un test parcourt aussi l'atlas **au clavier seul** :
rechercher un territoire, ouvrir sa fiche, télécharger son PDF.

Corrigé lors de cet audit : le zoom de la page était bloqué dans le cadre de la carte
(critère 10.4), la carte de la fiche territoire n'avait pas d'alternative textuelle
(critère 1.1), des textes secondaires étaient trop peu contrastés (critère 3.2), les formes
de la carte formaient des milliers d'arrêts de tabulation avant le reste de la page
(critère 12.8).

### Contenus non accessibles et dérogations

- **La carte elle-même** (formes et points) ne se parcourt pas au clavier ni au lecteur
  d'écran forme par forme (critères 1.3 et 12.8 pour son contenu). **Alternatives** : la
  recherche de territoire et le panneau de la carte, le *tableau des éléments de la carte*
  de la carte intégrable et de l'export statique (un lien d'évitement y mène), les fiches
  territoire, et les fichiers CSV des pages *Territoire* et *Études de cas*.
- **La langue de la page** du tableau de bord est déclarée « fr » par un script, car
  l'outil utilisé (Streamlit) ne permet pas de la régler : un lecteur d'écran qui lit la
  page avant ce script (une fraction de seconde) l'entend en anglais ; le même script
  traduit le lien d'évitement de Streamlit (« Aller au contenu principal ») (critère 8.3,
  partiel).
- **La fiche PDF** n'est pas un PDF balisé : la bibliothèque qui la produit (reportlab)
  n'écrit pas d'arbre de structure. Sa carte est accompagnée d'un texte qui la décrit,
  et la **fiche HTML**, de même contenu, est accessible (critère 13.3 : version
  accessible proposée).

### Établissement de cette déclaration

Déclaration établie le {AUDIT_DATE}. Technologies utilisées : HTML, CSS, JavaScript
(Streamlit, Leaflet). Outils : axe-core dans Chromium (tests automatisés de l'atlas),
navigation au clavier.

### Retour d'information et contact

Si vous n'arrivez pas à accéder à un contenu ou à un service, écrivez {WRITE_TO}, en
indiquant la page et ce qui vous a gêné ; nous vous proposerons une alternative accessible.

### Voies de recours

Si vous constatez un défaut d'accessibilité qui vous empêche d'accéder à un contenu, que
vous nous l'avez signalé et que vous n'avez pas obtenu de réponse satisfaisante, vous
pouvez écrire au Défenseur des droits (formulaire en ligne sur defenseurdesdroits.fr, ou
par courrier gratuit, sans affranchissement : Défenseur des droits, Libre réponse 71120,
75342 Paris CEDEX 07).
"""
)
