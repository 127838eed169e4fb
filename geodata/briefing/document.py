"""The text of a briefing document, in French, shared by the PDF and the HTML renderers.

A :class:`Document` is plain strings in blocks (headings, paragraphs, tables, images):
the renderers escape every string themselves (reportlab's paragraph markup, HTML), so
nothing here is markup. Links are :class:`Link` cells, absolute (the app's address:
``base_url``, else :func:`~geodata.briefing.model.default_base_url`). Numbers are written
by :mod:`geodata.numbers` (French formats).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from geodata.briefing.indicators import figure_rows, limits_note
from geodata.briefing.model import (
    KIND_PLURALS,
    PROGRAMMES,
    Briefing,
    default_base_url,
    fiche_url,
    projection_label,
    short_epci_name,
)
from geodata.dates import format_datetime_fr
from geodata.model.indicators import figures as indicator_figures
from geodata.model.indicators import with_year
from geodata.numbers import fmt_decimal, fmt_int, fmt_km2, fmt_population, fmt_rate
from geodata.territory import territory_id

MAX_COMMUNES_LISTED = 20  # most populated, in section 1; every commune in the annex
MAX_ANNEX_COMMUNES = 1_000  # a région's thousands of communes stay in the CSV export
MAX_PROGRAMME_NAMES = 40


class Link(NamedTuple):
    """A table cell or paragraph that links somewhere."""

    text: str
    url: str


@dataclass
class Table:
    """Header and rows of strings (or :class:`Link`); ``widths`` are relative."""

    columns: list[str]
    rows: list[list[str | Link]]
    widths: list[float] | None = None


@dataclass
class Block:
    """One block: ``kind`` is "h2", "h3", "p", "note", "table" or "image"."""

    kind: str
    text: str = ""
    table: Table | None = None
    image: str = ""  # key of the images dict ("map", "chart")


@dataclass
class Document:
    """The whole briefing: cover figures and blocks."""

    title: str
    subtitle: str
    figures: list[tuple[str, str]]
    cover_note: str
    key_facts: list[tuple[str, str]] = field(default_factory=list)  # page 1: figures
    key_counts: list[tuple[str, str]] = field(default_factory=list)  # page 1: counts
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""
    generated: str = ""
    map_alt: str = ""  # text alternative of the map image (RGAA 1.1), every renderer
    chart_alt: str = ""  # text alternative of the programmes chart


def document(b: Briefing, base_url: str = "") -> Document:
    """Lay out a briefing's content as French text blocks.

    ``base_url`` prefixes the links to the case fiches (``{base_url}/cas?cas=<id>``);
    empty, :func:`~geodata.briefing.model.default_base_url` (a printed page needs an
    absolute address).
    """
    base_url = base_url or default_base_url()
    generated = format_datetime_fr(b.generated_at)
    figures = [
        ("Population", fmt_population(b.population)),
        ("Superficie", fmt_km2(b.area_km2)),
        ("Communes", fmt_int(len(b.communes))),
        ("EPCI", fmt_int(len(b.epci))),
        ("Départements" if len(b.departements) > 1 else "Département", b.departements_label or "—"),
        ("Régions" if len(b.regions) > 1 else "Région", ", ".join(b.regions["nom"]) or "—"),
    ]
    doc = Document(
        title=b.name,
        subtitle=f"{b.kind_label} · {territory_id(b.kind, b.id)}",
        figures=figures,
        cover_note=_cover_note(b),
        key_facts=figures,
        key_counts=key_counts(b),
        footer=f"Atlas des coopérations territoriales · {b.name}",
        generated=f"Document généré le {generated}",
        map_alt=map_alt(b),
        chart_alt=chart_alt(b),
    )
    doc.key_facts += economy_facts(b)
    doc.blocks += _composition(b)
    doc.blocks += economy_blocks(b)
    doc.blocks += _programmes(b)
    doc.blocks += _cases(b, base_url)
    doc.blocks += _comparables(b)
    doc.blocks += _sources(b, generated)
    doc.blocks += _annex(b)
    return doc


def key_counts(b: Briefing) -> list[tuple[str, str]]:
    """Page 1's counts: every programme ("Action cœur de ville", "2"), then the cases.

    The counts are the briefing's (:attr:`Briefing.counts`, the map panel's too), zeros
    included.
    """
    facts = [(label, fmt_int(b.counts[k])) for k, (_, _, label) in PROGRAMMES.items()]
    facts.append(("Études de cas dans le territoire", fmt_int(b.counts["cases"])))
    facts.append((f"Études de cas à moins de {b.radius_km:g} km", fmt_int(len(b.cases_nearby))))
    return facts


def map_alt(b: Briefing) -> str:
    """Return the text alternative of the briefing's map (French, plain text).

    Says what the map shows and where its content is given as text: the page, the HTML
    and the PDF show it beside the image (``alt``, caption).
    """
    n_in, n_near = len(b.cases_inside), len(b.cases_nearby)
    return (
        f"Carte de {b.name} ({b.kind_label}) : le contour du territoire, ses "
        f"{fmt_int(len(b.communes))} communes et ses EPCI, les points des programmes "
        f"nationaux et les études de cas numérotées ({n_in} dans le territoire, {n_near} à "
        f"moins de {b.radius_km:g} km). Les tableaux de la fiche en donnent le détail."
    )


def chart_alt(b: Briefing) -> str:
    """Return the text alternative of the programmes chart (French, plain text)."""
    counts = ", ".join(f"{many} : {b.counts[k]}" for k, (_, _, many) in PROGRAMMES.items())
    return (
        "Graphique : programmes pour 10 000 habitants dans le territoire, son département "
        f"et sa région, rapportés à la France entière. Dans le territoire : {counts}. "
        "Les tableaux des programmes donnent les chiffres."
    )


ECONOMY_FACTS = ("emplois_2018", "emplois_evol_an", "taux_chomage", "part_etab_industrie")


def economy_facts(b: Briefing) -> list[tuple[str, str]]:
    """Return page 1's INSEE figures, each with its year (none when not built)."""
    if b.indicators is None:
        return []
    return [
        (with_year(label, source.split(" — ")[-1]), value)
        for label, value, source in indicator_figures(b.indicators, ECONOMY_FACTS)
    ]


def economy_blocks(b: Briefing) -> list[Block]:
    """Return the INSEE figures of the territory, with source, edition and year."""
    return [
        Block("h2", "Économie et emploi (INSEE)"),
        Block(
            "table",
            table=Table(
                ["Indicateur", "Valeur", "Source et année"], figure_rows(b.indicators), [4, 3, 4]
            ),
        ),
        Block("note", limits_note()),
    ]


def _cover_note(b: Briefing) -> str:
    n_in, n_near = len(b.cases_inside), len(b.cases_nearby)
    if b.is_empty:
        return (
            "Aucun programme national ni étude de cas n'est recensé dans ce territoire. "
            f"Cette fiche donne sa composition, les études de cas à moins de "
            f"{b.radius_km:g} km ({n_near}) et des territoires comparables qui en ont."
        )
    progs = [
        f"{n} {one if n == 1 else many}"
        for k, (one, many, _) in PROGRAMMES.items()
        if (n := b.counts[k])
    ]
    return (
        f"{n_in} étude{'s' if n_in > 1 else ''} de cas dans le territoire, {n_near} à moins "
        f"de {b.radius_km:g} km. Programmes : {', '.join(progs) or 'aucun'}."
    )


def _composition(b: Briefing) -> list[Block]:
    blocks = [
        Block("h2", "1. Composition"),
        Block(
            "table",
            table=Table(
                ["", ""],
                [
                    list(f)
                    for f in [
                        ("Population (communes, COG 2025)", fmt_population(b.population)),
                        (
                            f"Superficie (mesurée en {projection_label(b.metric_crs)})",
                            fmt_km2(b.area_km2),
                        ),
                        ("Communes", fmt_int(len(b.communes))),
                        (
                            "Départements",
                            ", ".join(
                                f"{r.nom} ({r.code}) : {fmt_int(r.n_communes)} "
                                f"commune{'s' if r.n_communes > 1 else ''}"
                                for r in b.departements.itertuples()
                            )
                            or "—",
                        ),
                        ("Régions", ", ".join(b.regions["nom"]) or "—"),
                    ]
                ],
                [2, 3],
            ),
        ),
    ]
    for label, names in b.memberships.items():
        if names:
            blocks.append(Block("p", f"{label} : " + " ; ".join(names)))
    blocks.append(Block("h3", f"EPCI ({fmt_int(len(b.epci))})"))
    if b.epci.empty:
        blocks.append(Block("note", "Aucun EPCI (commune isolée hors intercommunalité)."))
    else:
        blocks.append(
            Block(
                "table",
                table=Table(
                    ["EPCI", "SIREN", "Nature", "Communes dans le territoire", "Population"],
                    [
                        [
                            r.nom,
                            r.siren_epci,
                            r.nature,
                            fmt_int(r.n_communes),
                            fmt_int(r.population),
                        ]
                        for r in b.epci.itertuples()
                    ],
                    [5, 2, 1, 1.8, 1.6],
                ),
            )
        )
    shown = b.communes.head(MAX_COMMUNES_LISTED)
    blocks.append(
        Block(
            "h3",
            f"Communes ({fmt_int(len(b.communes))})"
            if len(shown) == len(b.communes)
            else f"Les {len(shown)} communes les plus peuplées (sur {fmt_int(len(b.communes))})",
        )
    )
    blocks.append(
        Block(
            "table",
            table=Table(
                *_commune_table(shown),
            ),
        )
    )
    if len(b.communes) > len(shown):
        where = (
            "en annexe"
            if len(b.communes) <= MAX_ANNEX_COMMUNES
            else "dans l'export CSV / GeoPackage de la fiche"
        )
        blocks.append(
            Block(
                "note",
                f"Les {len(shown)} communes les plus peuplées ; toutes les "
                f"{fmt_int(len(b.communes))} communes sont {where}.",
            )
        )
    return blocks


def _commune_table(communes: pd.DataFrame) -> tuple[list[str], list[list[str]], list[float]]:
    """Header, rows and widths of a commune table (most populated first)."""
    return (
        ["Commune", "Code INSEE", "EPCI", "Population", "Superficie"],
        [
            [
                r.nom,
                r.insee_com,
                short_epci_name(r.nom_epci),
                fmt_int(r.population),
                fmt_km2(r.area_km2),
            ]
            for r in communes.itertuples()
        ],
        [3, 1.3, 4, 1.4, 1.4],
    )


def _annex(b: Briefing) -> list[Block]:
    """Every commune of the territory, when they fit in a few pages (else the CSV)."""
    if len(b.communes) <= MAX_COMMUNES_LISTED:
        return []  # all already listed in section 1
    blocks = [Block("h2", f"Annexe — Les {fmt_int(len(b.communes))} communes")]
    if len(b.communes) > MAX_ANNEX_COMMUNES:
        blocks.append(
            Block(
                "note",
                "Trop de communes pour une annexe imprimée : la liste complète est dans "
                "l'export CSV des communes de la fiche (page Territoire de l'atlas).",
            )
        )
        return blocks
    blocks.append(Block("note", "Les plus peuplées d'abord."))
    blocks.append(Block("table", table=Table(*_commune_table(b.communes))))
    return blocks


def _programmes(b: Briefing) -> list[Block]:
    comp = b.comparison
    head = ["Programme", "Nombre", "Pour 10 000 hab."] + [
        r["nom"] if r["level"] == "France" else f"{r['level']} ({_code(r['nom'])})"
        for _, r in comp.iloc[1:].iterrows()
    ]
    rows = []
    for key, (_, _, label) in PROGRAMMES.items():
        rows.append(
            [
                label,
                fmt_int(b.counts[key]),
                fmt_rate(comp.iloc[0][f"r_{key}"]),
                *(fmt_rate(r[f"r_{key}"]) for _, r in comp.iloc[1:].iterrows()),
            ]
        )
    blocks = [
        Block("h2", "2. Programmes présents"),
        Block("table", table=Table(head, rows, [3.4, 1.1, 1.4] + [1.4] * (len(head) - 3))),
        Block(
            "note",
            "Nombre dans le territoire, puis nombre pour 10 000 habitants, comparé au "
            "département et à la région qui portent la plus grande part de la population "
            "du territoire, et à la France entière. Une ville retenue dans les deux phases "
            "d'Action cœur de ville compte une fois ; un site (France services, tiers-lieu) "
            "compte dans sa commune.",
        ),
        Block("image", image="chart"),
    ]
    for key, rows_ in b.programmes.items():
        if rows_.empty:
            continue
        label = PROGRAMMES[key][2]
        names = [
            (n if n == c or not c else f"{n} ({c})") + (f" [{p}]" if "," in p else "")
            for n, c, p in zip(rows_["nom"], rows_["commune"], rows_["phase"], strict=True)
        ]
        more = len(names) - MAX_PROGRAMME_NAMES
        text = " ; ".join(names[:MAX_PROGRAMME_NAMES])
        text += f" ; et {more} autres" if more > 0 else ""
        blocks.append(Block("p", f"{label} ({fmt_int(len(names))}) : {text}"))
    if not any(b.counts[k] for k in PROGRAMMES):
        blocks.append(
            Block(
                "note",
                "Aucun programme national recensé dans ce territoire "
                "(listes de l'ANCT chargées dans la construction).",
            )
        )
    return blocks


def _code(nom: str) -> str:
    return nom[nom.rfind("(") + 1 : -1] if nom.endswith(")") else nom


def _cases(b: Briefing, base_url: str) -> list[Block]:
    blocks = [Block("h2", "3. Études de cas")]
    n = 0
    for title, rows, near in (
        ("Dans le territoire", b.cases_inside, False),
        (f"À moins de {b.radius_km:g} km", b.cases_nearby, True),
    ):
        blocks.append(Block("h3", f"{title} ({len(rows)})"))
        if rows.empty:
            blocks.append(
                Block(
                    "note",
                    "Aucune étude de cas."
                    if not near
                    else f"Aucune étude de cas à moins de {b.radius_km:g} km.",
                )
            )
            continue
        table = []
        for r in rows.itertuples():
            n += 1
            lieu = r.lieu + (" (Pays entier)" if r.placement == "pays" else "")
            cell = [
                str(n),
                r.name,
                r.types,
                " · ".join(part for part in (lieu, r.departements) if part),
            ]
            if near:
                cell.append(fmt_decimal(r.distance_km, 1))
            cell.append(Link(f"cas={r.id}", fiche_url(r.id, base_url)))
            table.append(cell)
        head = ["N°", "Étude de cas", "Type", "Lieu", *(["km"] if near else []), "Fiche"]
        widths = [0.7, 4, 2.4, 2.4, *([0.8] if near else []), 2.6]
        blocks.append(Block("table", table=Table(head, table, widths)))
    blocks.append(
        Block(
            "note",
            "Numéros repris sur la carte. Une étude de cas est dans le territoire quand "
            "son lieu (sa commune, ou tout son EPCI, son Pays ou son Territoire "
            "d'industrie) y est entièrement ; une étude dont le lieu déborde du territoire "
            "figure parmi les études proches (0 km). Distances mesurées au plus court "
            f"entre le territoire et le lieu de l'étude ({projection_label(b.metric_crs)}).",
        )
    )
    return blocks


def _comparables(b: Briefing) -> list[Block]:
    plural = KIND_PLURALS[b.kind]
    blocks = [
        Block("h2", "4. Territoires comparables"),
        Block(
            "p",
            f"Des pairs auprès de qui apprendre : les {plural} ayant au moins une étude "
            f"de cas et les plus proches de {b.name} par la population, la superficie et "
            "les programmes présents. Les écarts sont ceux du territoire comparable par "
            f"rapport à {b.name} (population {fmt_population(b.population)}, superficie "
            f"{fmt_km2(b.area_km2)}).",
        ),
    ]
    if b.comparables.empty:
        blocks.append(Block("note", "Aucun territoire comparable avec étude de cas."))
        return blocks
    blocks.append(
        Block(
            "table",
            table=Table(
                [
                    "Territoire comparable",
                    "Population (écart)",
                    "Superficie (écart)",
                    "Programmes en commun (nombre chez lui)",
                    "Études de cas",
                ],
                [
                    [
                        f"{r.nom} ({r.id})",
                        f"{fmt_int(r.population)} ({r.population_change})",
                        f"{fmt_km2(r.area_km2)} ({r.area_change})",
                        r.shared,
                        fmt_int(r.n_cases),
                    ]
                    for r in b.comparables.itertuples()
                ],
                [3.2, 1.8, 1.8, 3, 1],
            ),
        )
    )
    return blocks


def _sources(b: Briefing, generated: str) -> list[Block]:
    rows = [[s["name"], s["producer"], s["vintage"], s["licence"]] for s in b.sources]
    built = sorted({s["built_at"] for s in b.sources if s["built_at"]})
    return [
        Block("h2", "5. Sources, licences et millésimes"),
        Block(
            "table",
            table=Table(["Source", "Producteur", "Millésime", "Licence"], rows, [3, 2.5, 3.5, 2]),
        ),
        Block(
            "note",
            "Populations et périmètres : COG 2025 (EPCI au 1er janvier 2025). "
            "Superficies et distances mesurées en projection Lambert-93 en métropole, dans "
            "la projection UTM officielle outre-mer. Aucune donnée personnelle : "
            "organisations et rôles seulement.",
        ),
        Block(
            "p",
            f"Document généré le {generated}"
            + (f" ; données construites le {format_datetime_fr(built[-1])}." if built else "."),
        ),
    ]
