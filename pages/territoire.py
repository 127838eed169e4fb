"""Territoire: the briefing of one TI, EPCI, Pays/PETR or commune (``?t=<id>``), with exports."""

from __future__ import annotations

import streamlit as st

from geodata.briefing import export as briefing_export
from geodata.briefing import model as briefing
from geodata.briefing import pdf as briefing_pdf
from geodata.briefing.model import PROGRAMMES, fmt_int, fmt_km2
from geodata.territory import territory_id
from pages.ui import data, search_box
from pages.ui.markup import literal

atlas = data.get_atlas()
st.title("Fiche territoire")


@st.cache_data(max_entries=64, show_spinner="Préparation de la fiche…")
def get_briefing(kind: str, ident: str, radius_km: int) -> briefing.Briefing:
    """Return the briefing of one territory (keyed on its code and the radius)."""
    return briefing.make_briefing(data.get_atlas(), kind, ident, radius_km)


@st.cache_data(max_entries=32, show_spinner="Dessin de la carte…")
def get_images(kind: str, ident: str, radius_km: int) -> dict[str, bytes]:
    """Map and chart PNG of one briefing."""
    return briefing_pdf.render_images(data.get_atlas(), get_briefing(kind, ident, radius_km))


@st.cache_data(max_entries=16, show_spinner=False)
def get_file(kind: str, ident: str, radius_km: int, fmt: str) -> bytes:
    """One export of a briefing: pdf, html, csv-communes, csv-cas, geojson, gpkg, gpkg-l93."""
    a, b = data.get_atlas(), get_briefing(kind, ident, radius_km)
    images = get_images(kind, ident, radius_km)
    if fmt == "pdf":
        return briefing_pdf.pdf_bytes(a, b, images=images)
    if fmt == "html":
        return briefing_pdf.html_text(a, b, images=images).encode("utf-8")
    if fmt.startswith("csv-"):
        tables = briefing_export.to_csv(a, b)
        return tables["communes" if fmt == "csv-communes" else briefing_export.CASES_LAYER]
    if fmt == "geojson":
        return briefing_export.to_geojson(a, b)
    return briefing_export.to_gpkg(a, b, metric=fmt == "gpkg-l93")


picked = search_box.territory_search(
    atlas,
    "Rechercher un Territoire d'industrie, un EPCI, un Pays ou une commune",
    "Nom ou code (ex. Thiers, ti-8408, 200035731, 42187)",
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
st.header(literal(b.name))
st.caption(
    literal(f"{b.kind_label} · {b.id} · {b.departements_label} · {', '.join(b.regions['nom'])}")
)
st.markdown(
    f"**Population** : {fmt_int(b.population)} hab. · **Superficie** : "
    f"{fmt_km2(b.area_km2)} · **Communes** : {len(b.communes)} · "
    f"**EPCI** : {len(b.epci)}"
)
if b.is_empty:
    st.info(
        "Aucun programme national ni étude de cas dans ce territoire : voyez les études "
        "de cas proches et les territoires comparables ci-dessous."
    )
left, right = st.columns([3, 2])
left.image(images["map"], caption=f"Carte du territoire ({b.metric_crs})")
with right:
    for label, names in b.memberships.items():
        if names:
            st.markdown(f"**{label}** : " + literal(" ; ".join(names)))
    st.markdown("**Programmes présents**")
    st.dataframe(
        {
            "Programme": [p[2] for p in PROGRAMMES.values()],
            "Nombre": [b.counts[k] for k in PROGRAMMES],
        },
        hide_index=True,
    )

compo, progs, cases, peers, exports = st.tabs(
    ["Composition", "Programmes", "Études de cas", "Territoires comparables", "Exports"]
)
with compo:
    st.dataframe(
        b.epci.rename(
            columns={
                "siren_epci": "SIREN",
                "nom": "EPCI",
                "nature": "Nature",
                "population": "Population",
                "n_communes": "Communes ici",
            }
        ),
        hide_index=True,
    )
    st.dataframe(
        b.communes.rename(
            columns={
                "insee_com": "Code INSEE",
                "nom": "Commune",
                "population": "Population",
                "nom_epci": "EPCI",
                "area_km2": "km²",
            }
        ).drop(columns=["siren_epci", "insee_reg"]),
        hide_index=True,
    )
with progs:
    st.image(images["chart"])
    for key, rows in b.programmes.items():
        if not rows.empty:
            with st.expander(f"{PROGRAMMES[key][2]} ({len(rows)})"):
                st.dataframe(rows, hide_index=True)
with cases:
    n = 0
    for title, rows in (
        ("Dans le territoire", b.cases_inside),
        (f"À moins de {radius} km", b.cases_nearby),
    ):
        st.markdown(f"**{title}** ({len(rows)})")
        if rows.empty:
            st.caption("Aucune étude de cas.")
        for r in rows.itertuples():
            n += 1
            far = f" — {r.distance_km:g} km" if r.distance_km else ""
            st.page_link(
                "pages/cas.py",
                label=literal(f"{n}. {r.name} ({r.types}, {r.lieu}){far}"),
                query_params={"cas": r.id},
            )
with peers:
    if b.comparables.empty:
        st.caption("Aucun territoire comparable avec étude de cas.")
    for r in b.comparables.itertuples():
        st.page_link("pages/territoire.py", label=literal(r.nom), query_params={"t": r.id})
        st.caption(literal(r.reason))
with exports:
    stem = briefing_export.file_stem(b)
    for label, fmt, name, mime in (
        ("PDF (A4)", "pdf", f"{stem}.pdf", "application/pdf"),
        ("HTML imprimable", "html", f"{stem}.html", "text/html"),
        ("CSV des communes", "csv-communes", f"{stem}-communes.csv", "text/csv"),
        ("CSV des études de cas", "csv-cas", f"{stem}-etudes-de-cas.csv", "text/csv"),
        ("GeoJSON (EPSG:4326)", "geojson", f"{stem}.geojson", "application/geo+json"),
        ("GeoPackage (EPSG:4326)", "gpkg", f"{stem}.gpkg", "application/geopackage+sqlite3"),
        (
            f"GeoPackage ({b.metric_crs})",
            "gpkg-l93",
            f"{stem}-{b.metric_crs.split(':')[1]}.gpkg",
            "application/geopackage+sqlite3",
        ),
    ):
        st.download_button(
            label,
            lambda f=fmt: get_file(kind, ident, radius, f),
            file_name=name,
            mime=mime,
            on_click="ignore",
            key=f"dl-{fmt}",
        )
    st.caption(
        "Sources, licences et millésimes : dernière page du PDF et page "
        "« Données et sources ». Aucune donnée personnelle."
    )
