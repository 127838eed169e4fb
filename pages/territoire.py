"""Territoire: the briefing of one territory (``?t=<id>``), its PDF beside the title.

Any territory kind: TI, EPCI, Pays/PETR, commune, département, région; the exports in
the last tab.

Every count is the map panel's (:meth:`geodata.atlas.Atlas.counts`); every number is
written by :mod:`geodata.numbers` (French formats); tables have headers in words.
"""

from __future__ import annotations

import streamlit as st

from geodata.briefing import export as briefing_export
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf
from geodata.briefing.document import chart_alt, map_alt
from geodata.briefing.model import PROGRAMMES, projection_label
from geodata.numbers import fmt_decimal, fmt_int, fmt_km2, fmt_population
from geodata.territory import territory_id
from pages.ui import accessibility, data, fiche, phone, search_box
from pages.ui import compare as compare_ui
from pages.ui.markup import literal

atlas = data.get_atlas()
st.title("Fiche territoire")
phone.style()  # small screens: the tabs wrap instead of scrolling sideways


@st.cache_data(max_entries=64, show_spinner="Préparation de la fiche…")
def get_briefing(kind: str, ident: str, radius_km: int) -> briefing.Briefing:
    """Return the briefing of one territory (keyed on its code and the radius)."""
    return briefing.make_briefing(data.get_atlas(), kind, ident, radius_km)


@st.cache_data(max_entries=32, show_spinner="Dessin de la carte…")
def get_images(kind: str, ident: str, radius_km: int) -> dict[str, bytes]:
    """Map and chart PNG of one briefing."""
    return briefing_pdf.render_images(data.get_atlas(), get_briefing(kind, ident, radius_km))


@st.cache_data(max_entries=16, show_spinner=False)
def get_file(kind: str, ident: str, radius_km: int, fmt: str, base_url: str = "") -> bytes:
    """One export of a briefing: pdf, html, csv-communes, csv-cas, geojson, gpkg, gpkg-l93.

    ``base_url`` (the app's address as the browser sees it) makes the PDF's and the
    HTML's links to the case fiches absolute.
    """
    a, b = data.get_atlas(), get_briefing(kind, ident, radius_km)
    images = get_images(kind, ident, radius_km)
    if fmt == "pdf":
        return briefing_pdf.pdf_bytes(a, b, base_url, images=images)
    if fmt == "html":
        return briefing_pdf.html_text(a, b, base_url, images=images).encode("utf-8")
    if fmt.startswith("csv-"):
        tables = briefing_export.to_csv(a, b)
        return tables["communes" if fmt == "csv-communes" else briefing_export.CASES_LAYER]
    if fmt == "geojson":
        return briefing_export.to_geojson(a, b)
    return briefing_export.to_gpkg(a, b, metric=fmt == "gpkg-l93")


picked = search_box.territory_search(
    atlas,
    "Rechercher un Territoire d'industrie, un EPCI, un Pays, une commune, un département "
    "ou une région",
    "Nom ou code (ex. Thiers, ti-8408, 200035731, 42187, dep-63, reg-84)",
)
if picked and territory_id(*picked) != st.query_params.get("t"):
    st.query_params["t"] = territory_id(*picked)
wanted = st.query_params.get("t", "")
if not wanted:
    st.info("Choisissez un territoire ci-dessus, ou ouvrez la fiche depuis le panneau de la carte.")
    st.stop()
try:
    kind, ident = briefing.resolve_id(atlas, wanted)
except ValueError:
    close = briefing.close_matches(atlas, wanted, briefing.kind_of(wanted))
    st.error(
        literal(
            f"Aucun territoire n'a l'identifiant « {wanted} »."
            + (" Les plus proches : " + ", ".join(close) + "." if close else "")
        )
    )
    st.stop()

radius = st.slider("Études de cas à moins de (km)", 0, 100, 20, step=5)
b = get_briefing(kind, ident, radius)
images = get_images(kind, ident, radius)
stem = briefing_export.file_stem(b)
base_url = fiche.app_address()
title, pdf_button = st.columns([5, 2], vertical_alignment="bottom")
title.header(literal(b.name))
pdf_button.download_button(
    "Télécharger la fiche (PDF)",
    lambda: get_file(kind, ident, radius, "pdf", base_url),
    file_name=f"{stem}.pdf",
    mime="application/pdf",
    on_click="ignore",
    type="primary",
    icon=":material/download:",
    key="dl-pdf-top",
)
st.caption(
    literal(
        f"{b.kind_label} · {territory_id(kind, ident)} · {b.departements_label} · "
        + ", ".join(b.regions["nom"])
    )
)
st.markdown(
    f"**Population** : {fmt_population(b.population)} · **Superficie** : "
    f"{fmt_km2(b.area_km2)} · **Communes** : {fmt_int(len(b.communes))} · "
    f"**EPCI** : {fmt_int(len(b.epci))}"
)
if b.is_empty:
    st.info(
        "Aucun programme national ni étude de cas dans ce territoire : voyez les études "
        "de cas proches et les territoires comparables ci-dessous."
    )
left, right = st.columns([3, 2])
accessibility.image(
    left, images["map"], map_alt(b), f"Carte du territoire ({projection_label(b.metric_crs)})"
)
with right:
    for label, names in b.memberships.items():
        if names:
            st.markdown(f"**{label}** : " + literal(" ; ".join(names)))
    st.markdown("**Programmes présents**")
    st.table(fiche.counts_table(b).set_index("Programme"))
    st.caption(
        "Une ville des deux phases d'Action cœur de ville compte une fois ; une étude de "
        "cas compte quand son lieu est entièrement dans le territoire (les autres : "
        "onglet « Études de cas », proches)."
    )

compo, progs, cases, peers, exports = st.tabs(
    ["Composition", "Programmes", "Études de cas", "Territoires comparables", "Exports"]
)
with compo:
    st.dataframe(fiche.epci_table(b), hide_index=True)
    st.dataframe(fiche.communes_table(b), hide_index=True)
with progs:
    accessibility.image(st, images["chart"], chart_alt(b))
    for key, rows in b.programmes.items():
        if not rows.empty:
            with st.expander(f"{PROGRAMMES[key][2]} ({fmt_int(len(rows))})"):
                st.dataframe(fiche.programme_table(rows), hide_index=True)
with cases:
    n = 0
    for title, rows, rule in (
        (
            fiche.CASES_LABEL,
            b.cases_inside,
            "Leur lieu (commune, ou tout leur EPCI, Pays ou Territoire d'industrie) est "
            "entièrement dans le territoire.",
        ),
        (
            f"À moins de {radius} km",
            b.cases_nearby,
            "Hors du territoire, ou sur un lieu qui en déborde (0 km).",
        ),
    ):
        st.markdown(f"**{title}** ({fmt_int(len(rows))})")
        st.caption(rule)
        if rows.empty:
            st.caption("Aucune étude de cas.")
        for r in rows.itertuples():
            n += 1
            far = f" — {fmt_decimal(r.distance_km, 1, 'km')}" if r.distance_km else ""
            st.page_link(
                "pages/cas.py",
                label=literal(f"{n}. {r.name} ({r.types}, {r.lieu}){far}"),
                query_params={"cas": r.id},
            )
with peers:
    if b.comparables.empty:
        st.caption("Aucun territoire comparable avec étude de cas.")
    else:
        st.caption(
            literal(
                f"Comparés à {b.name} : population et superficie (écart en %), programmes "
                "présents dans les deux, études de cas ; parmi les territoires du même type "
                "ayant au moins une étude de cas."
            )
        )
        st.dataframe(fiche.comparables_table(b), hide_index=True)
    for r in b.comparables.itertuples():
        st.page_link(
            "pages/territoire.py", label=literal(f"Fiche : {r.nom}"), query_params={"t": r.id}
        )
with exports:
    for label, fmt, name, mime in (
        ("PDF (A4)", "pdf", f"{stem}.pdf", "application/pdf"),
        ("HTML imprimable", "html", f"{stem}.html", "text/html"),
        ("CSV des communes", "csv-communes", f"{stem}-communes.csv", "text/csv"),
        ("CSV des études de cas", "csv-cas", f"{stem}-etudes-de-cas.csv", "text/csv"),
        ("GeoJSON (longitude, latitude)", "geojson", f"{stem}.geojson", "application/geo+json"),
        (
            "GeoPackage (longitude, latitude)",
            "gpkg",
            f"{stem}.gpkg",
            "application/geopackage+sqlite3",
        ),
        (
            f"GeoPackage ({projection_label(b.metric_crs)}, en mètres)",
            "gpkg-l93",
            f"{stem}-{b.metric_crs.split(':')[1]}.gpkg",
            "application/geopackage+sqlite3",
        ),
    ):
        st.download_button(
            label,
            lambda f=fmt: get_file(kind, ident, radius, f, base_url),
            file_name=name,
            mime=mime,
            on_click="ignore",
            key=f"dl-{fmt}",
        )
    st.caption(
        "Sources, licences et millésimes : dernière page du PDF et page "
        "« Données et sources ». Aucune donnée personnelle."
    )
compare_ui.section(atlas, b)  # INSEE figures and « Comparer avec… » (issue 12)
