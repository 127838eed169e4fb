"""The text of a briefing document, in French, shared by the PDF and the HTML renderers.

A :class:`Document` is plain strings in blocks (headings, paragraphs, tables, images):
the renderers escape every string themselves (reportlab's paragraph markup, HTML), so
nothing here is markup. Links are :class:`Link` cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from geodata.briefing.model import (
    PROGRAMMES,
    Briefing,
    fiche_url,
    fmt_int,
    fmt_km2,
    short_epci_name,
)
from geodata.dates import format_datetime_fr

MAX_COMMUNES_LISTED = 60
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
    blocks: list[Block] = field(default_factory=list)
    footer: str = ""
    generated: str = ""


def document(b: Briefing, base_url: str = "") -> Document:
    """Lay out a briefing's content as French text blocks.

    ``base_url`` prefixes the links to the case fiches (``{base_url}/cas?cas=<id>``);
    empty, the links are relative to the app.
    """
    generated = format_datetime_fr(b.generated_at)
    figures = [
        ("Population", fmt_int(b.population) + " hab."),
        ("Superficie", fmt_km2(b.area_km2)),
        ("Communes", fmt_int(len(b.communes))),
        ("EPCI", fmt_int(len(b.epci))),
        ("Départements" if len(b.departements) > 1 else "Département", b.departements_label or "—"),
        ("Région", ", ".join(b.regions["nom"]) or "—"),
    ]
    doc = Document(
        title=b.name,
        subtitle=f"{b.kind_label} · {b.id}",
        figures=figures,
        cover_note=_cover_note(b),
        footer=f"Atlas des coopérations territoriales · {b.name}",
        generated=f"Document généré le {generated}",
    )
    doc.blocks += _composition(b)
    doc.blocks += _programmes(b)
    doc.blocks += _cases(b, base_url)
    doc.blocks += _comparables(b)
    doc.blocks += _sources(b, generated)
    return doc


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
                        ("Population (communes, COG 2025)", fmt_int(b.population) + " hab."),
                        ("Superficie (mesurée en Lambert-93)", fmt_km2(b.area_km2)),
                        ("Communes", fmt_int(len(b.communes))),
                        (
                            "Départements",
                            ", ".join(
                                f"{r.nom} ({r.code}) : {r.n_communes} comm."
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
    blocks.append(Block("h3", f"EPCI ({len(b.epci)})"))
    if b.epci.empty:
        blocks.append(Block("note", "Aucun EPCI (commune isolée hors intercommunalité)."))
    else:
        blocks.append(
            Block(
                "table",
                table=Table(
                    ["EPCI", "SIREN", "Nature", "Communes ici", "Population"],
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
                    [5, 2, 1, 1.4, 1.6],
                ),
            )
        )
    shown = b.communes.head(MAX_COMMUNES_LISTED)
    blocks.append(Block("h3", f"Communes ({len(b.communes)})"))
    blocks.append(
        Block(
            "table",
            table=Table(
                ["Commune", "Code INSEE", "EPCI", "Population", "km²"],
                [
                    [
                        r.nom,
                        r.insee_com,
                        short_epci_name(r.nom_epci),
                        fmt_int(r.population),
                        fmt_int(r.area_km2),
                    ]
                    for r in shown.itertuples()
                ],
                [3, 1.3, 4, 1.4, 1],
            ),
        )
    )
    if len(b.communes) > len(shown):
        blocks.append(
            Block(
                "note",
                f"Les {len(shown)} communes les plus peuplées ; les "
                f"{len(b.communes) - len(shown)} autres sont dans l'export "
                "CSV / GeoPackage.",
            )
        )
    return blocks


def _programmes(b: Briefing) -> list[Block]:
    comp = b.comparison
    head = ["Programme", "Nombre", "/10 000 hab."] + [
        r["nom"] if r["level"] == "France" else f"{r['level']} ({_code(r['nom'])})"
        for _, r in comp.iloc[1:].iterrows()
    ]
    rows = []
    for key, (_, _, label) in PROGRAMMES.items():
        rows.append(
            [
                label,
                fmt_int(b.counts[key]),
                _rate(comp.iloc[0][f"r_{key}"]),
                *(_rate(r[f"r_{key}"]) for _, r in comp.iloc[1:].iterrows()),
            ]
        )
    blocks = [
        Block("h2", "2. Programmes présents"),
        Block("table", table=Table(head, rows, [3.4, 1.1, 1.4] + [1.4] * (len(head) - 3))),
        Block(
            "note",
            "Taux pour 10 000 habitants ; département et région : ceux qui "
            "portent la plus grande part de la population du territoire.",
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
        blocks.append(Block("p", f"{label} ({len(names)}) : {text}"))
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


def _rate(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.2f}".replace(".", ",")


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
                cell.append(f"{r.distance_km:.1f}".replace(".", ","))
            cell.append(Link(f"cas={r.id}", fiche_url(r.id, base_url)))
            table.append(cell)
        head = ["N°", "Étude de cas", "Type", "Lieu", *(["km"] if near else []), "Fiche"]
        widths = [0.7, 4, 2.4, 2.4, *([0.8] if near else []), 2.6]
        blocks.append(Block("table", table=Table(head, table, widths)))
    blocks.append(
        Block(
            "note",
            "Numéros repris sur la carte. Distances mesurées au plus court "
            f"entre le territoire et le lieu de l'étude, en {b.metric_crs}. "
            "Une étude placée sur un Pays entier est comptée dans le "
            "territoire quand tout le Pays y est.",
        )
    )
    return blocks


def _comparables(b: Briefing) -> list[Block]:
    blocks = [
        Block("h2", "4. Territoires comparables"),
        Block(
            "p",
            f"Les {b.kind_label.lower()}s les plus proches par la population, la "
            "superficie et les programmes présents, parmi ceux qui ont au moins "
            "une étude de cas : des pairs auprès de qui apprendre.",
        ),
    ]
    if b.comparables.empty:
        blocks.append(Block("note", "Aucun territoire comparable avec étude de cas."))
        return blocks
    blocks.append(
        Block(
            "table",
            table=Table(
                ["Territoire", "Code", "Pourquoi"],
                [[r.nom, r.id, r.reason] for r in b.comparables.itertuples()],
                [3, 1.4, 6],
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
            "Superficies mesurées en Lambert-93 (EPSG:2154) en métropole, dans la "
            "projection UTM officielle outre-mer. Aucune donnée personnelle : "
            "organisations et rôles seulement.",
        ),
        Block(
            "p",
            f"Document généré le {generated}"
            + (f" ; données construites le {format_datetime_fr(built[-1])}." if built else "."),
        ),
    ]
