"""Accepted proposals as case studies: on the map, in a CSV case table, in Atom feeds.

- :func:`case_table` — the accepted proposals as a case table (``atlas check`` accepts it,
  ``atlas build --cases`` uses it): ids ``contrib-<n>-<slug>`` (unique, stable, never one
  of the curated table's), ``source_file`` set, no contact column;
- :func:`with_accepted` — a loaded atlas with the accepted proposals appended to its
  ``cases`` (and ``clusters``), placed by the build's own placement code
  (:func:`geodata.model.placement.place_cases`), each marked "Proposé par le territoire,
  validé le …": no rebuild;
- :func:`write_feeds` — one Atom feed per theme and per région of the newest accepted
  cases (XML written by ElementTree: every text escaped).
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.contributions.db import Database
from geodata.contributions.store import ACCEPTED, Proposal, Store
from geodata.dates import format_date_fr
from geodata.model import placement
from geodata.model import ti as ti_model
from geodata.sources.cases import CASE_COLUMNS, slug
from geodata.tables import to_csv_bytes
from geodata.vocab import CRS_DISPLAY, ID_MAX_LENGTH, LIST_SEP

ORIGIN = "contribution"  # the ``source`` column of a case that came from a proposal
MARKED = ("source", "validated_at")  # columns a proposal's case always has
FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"


def mark(p: Proposal) -> str:
    """Return the public mark of an accepted proposal ("Proposé par le territoire, validé le …")."""
    return f"Proposé par le territoire, validé le {format_date_fr(p.decided_at or p.updated_at)}."


def case_id(p: Proposal) -> str:
    """Return the case id of a proposal: ``contrib-<number>-<slug of its name>``."""
    return f"contrib-{p.id}-{slug(p.name)}"[:ID_MAX_LENGTH].rstrip("-_")


def case_table(proposals: list[Proposal]) -> pd.DataFrame:
    """Return proposals as a case table (:data:`CASE_COLUMNS`, all text; no contact)."""
    rows = [
        {**{c: str(p.data.get(c, "") or "") for c in CASE_COLUMNS}, "id": case_id(p)}
        for p in proposals
    ]
    return pd.DataFrame(rows, columns=list(CASE_COLUMNS))


def export_csv(proposals: list[Proposal], out: Path) -> int:
    """Write the accepted ``proposals`` as a CSV case table (cells neutralised); return rows."""
    table = case_table([p for p in proposals if p.status == ACCEPTED])
    out.write_bytes(to_csv_bytes(table))
    return len(table)


def accepted(db: Database | None = None) -> list[Proposal]:
    """Return the accepted proposals (none when the SQLite file does not exist yet)."""
    db = db or Database.from_url()
    if db.dialect == "sqlite" and not Path(db.target).exists():
        return []
    return Store(db).proposals(ACCEPTED)


def place(atlas: object, proposals: list[Proposal]) -> gpd.GeoDataFrame:
    """Place accepted proposals as the build places case tables (EPSG:4326).

    ``atlas`` is a loaded :class:`geodata.atlas.Atlas`. Returns the case columns plus
    ``source`` ("contribution"), ``validated_at``, ``placement``, ``insee_dep``,
    ``insee_reg``; the summary ends with :func:`mark`. A proposal that cannot be placed
    (its commune merged since, say) is left out here and still listed by the CLI.
    """
    table = case_table(proposals)
    for col in ("lat", "lon"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    marks = [mark(p) for p in proposals]
    table["summary"] = [
        f"{s}\n\n{m}" if s else m for s, m in zip(table["summary"], marks, strict=True)
    ]
    table["note_public"] = [
        f"{n} {m}" if n else m for n, m in zip(table["note_public"], marks, strict=True)
    ]
    table["validated_at"] = [p.decided_at or "" for p in proposals]
    table["line"] = [p.id for p in proposals]
    table["source"] = ORIGIN
    ti, pays = atlas.get("ti"), atlas.get("pays")
    if pays is None:  # an atlas without Pays (a test's): none to place on
        pays = gpd.GeoDataFrame(
            {"pays_id": pd.Series(dtype=str), "members": pd.Series(dtype=str)},
            geometry=[],
            crs=CRS_DISPLAY,
        )
    placed, _ = placement.place_cases(
        table,
        atlas.communes,
        atlas.epci,
        pays,
        None if ti is None else ti_model.current(ti),
    )
    return placed


def with_accepted(atlas: object, proposals: list[Proposal]) -> object:
    """Return a copy of ``atlas`` whose ``cases`` and ``clusters`` include ``proposals``.

    The other layers are shared, not copied (the atlas is read-only); the counts per
    territory are derived again on first use, so the map's panel and the briefings count
    and list the proposals too. With no proposal, ``atlas`` itself is returned.
    """
    if not proposals or atlas.get("cases") is None:
        return atlas
    from geodata.build.cases import clusters_layer

    extra = place(atlas, proposals)
    optional = dict(atlas.optional)
    cases = atlas.get("cases")
    optional["cases"] = gpd.GeoDataFrame(
        pd.concat(
            [cases, extra[[c for c in extra.columns if c in cases.columns or c in MARKED]]],
            ignore_index=True,
        ),
        geometry="geometry",
        crs=cases.crs,
    )
    if atlas.get("clusters") is not None:
        optional["clusters"] = gpd.GeoDataFrame(
            pd.concat([atlas.get("clusters"), clusters_layer(extra)], ignore_index=True),
            geometry="geometry",
            crs=cases.crs,
        )
    # The build's counts per territory do not know the proposals: derived again from the
    # layers, on first use (the facts stage's own function, Atlas.territory_facts).
    optional["territory_facts"] = None
    memo = {k: v for k, v in atlas._memo.items() if k == "search_index"}
    return dataclasses.replace(atlas, optional=optional, _memo=memo)


def write_feeds(
    placed: pd.DataFrame, regions: pd.DataFrame, out: Path, base_url: str
) -> list[Path]:
    """Write one Atom feed per theme and per région of the newest accepted cases.

    Parameters
    ----------
    placed : DataFrame
        Accepted cases as :func:`place` returns them (``id, name, summary, theme,
        insee_reg, validated_at``).
    regions : DataFrame
        ``code, nom`` of the régions (feed titles).
    out : Path
        Folder to write ``theme-<slug>.xml`` and ``region-<code>.xml`` into (created).
    base_url : str
        The atlas's public address; each entry links to ``<base_url>/cas?cas=<id>``.

    Returns
    -------
    list of Path
        The feeds written, one per theme and per région that has accepted cases.
    """
    out.mkdir(parents=True, exist_ok=True)
    names = dict(zip(regions["code"], regions["nom"], strict=True))
    groups: dict[tuple[str, str], list[dict]] = {}
    for rec in placed.sort_values("validated_at", ascending=False).to_dict("records"):
        theme = str(rec.get("theme") or "").strip()
        if theme:
            groups.setdefault((f"theme-{slug(theme)}", f"Thème « {theme} »"), []).append(rec)
        for code in filter(None, str(rec.get("insee_reg") or "").split(LIST_SEP)):
            groups.setdefault((f"region-{code}", names.get(code, code)), []).append(rec)
    written = []
    for (stem, title), recs in sorted(groups.items()):
        path = out / f"{stem}.xml"
        _feed(stem, title, recs[:FEED_SIZE], base_url.rstrip("/")).write(
            path, encoding="utf-8", xml_declaration=True
        )
        written.append(path)
    return written


def _feed(stem: str, title: str, recs: list[dict], base: str) -> ET.ElementTree:
    ET.register_namespace("", ATOM)
    q = lambda tag: f"{{{ATOM}}}{tag}"  # noqa: E731
    feed = ET.Element(q("feed"), {"xml:lang": "fr"})
    ET.SubElement(feed, q("id")).text = f"{base}/feeds/{stem}"
    ET.SubElement(feed, q("title")).text = f"Atlas des coopérations territoriales — {title}"
    ET.SubElement(feed, q("updated")).text = recs[0]["validated_at"]
    ET.SubElement(feed, q("link"), {"href": f"{base}/cas"})
    for rec in recs:
        entry = ET.SubElement(feed, q("entry"))
        ET.SubElement(entry, q("id")).text = f"{base}/cas?cas={rec['id']}"
        ET.SubElement(entry, q("title")).text = str(rec["name"])
        ET.SubElement(entry, q("updated")).text = rec["validated_at"]
        ET.SubElement(entry, q("link"), {"href": f"{base}/cas?cas={rec['id']}"})
        author = ET.SubElement(entry, q("author"))
        ET.SubElement(author, q("name")).text = "Proposé par le territoire"
        ET.SubElement(entry, q("summary")).text = str(rec.get("summary") or "")
    return ET.ElementTree(feed)
