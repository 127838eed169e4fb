"""Tables of the Territoire fiche: headers in words, numbers in French (as strings).

Numbers are written by :mod:`geodata.numbers` ("109 553", "16,3 km²") so the page reads
like the PDF; the tables are already sorted the way a reader wants (most populated
first), so that sorting a text column is not needed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from geodata.briefing.model import PROGRAMMES, Briefing
from geodata.numbers import fmt_int, fmt_km2

CASES_LABEL = "Études de cas dans le territoire"  # the panel's and the PDF's words too


def app_address() -> str:
    """Return the app's address as the browser sees it (``http://host:port``), or "".

    The PDF's links to the case fiches are made absolute with it; "" (no browser, e.g. a
    script test) lets the document use its default address.
    """
    url = st.context.url or ""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    path = parts.path.rstrip("/")
    path = path[: path.rfind("/")] if path.endswith("/territoire") else path
    return f"{parts.scheme}://{parts.netloc}{path}"


def counts_table(b: Briefing) -> pd.DataFrame:
    """Every programme's count, then the case studies placed in the territory."""
    rows = [(label, fmt_int(b.counts[k])) for k, (_, _, label) in PROGRAMMES.items()]
    rows.append((CASES_LABEL, fmt_int(b.counts["cases"])))
    return pd.DataFrame(rows, columns=["Programme", "Nombre"])


def epci_table(b: Briefing) -> pd.DataFrame:
    """EPCI of the territory: name, SIREN, nature, communes in the territory, population."""
    return pd.DataFrame(
        {
            "EPCI": b.epci["nom"],
            "SIREN": b.epci["siren_epci"],
            "Nature": b.epci["nature"],
            "Communes dans le territoire": b.epci["n_communes"].map(fmt_int),
            "Population": b.epci["population"].map(fmt_int),
        }
    )


def communes_table(b: Briefing) -> pd.DataFrame:
    """Communes of the territory, most populated first."""
    com = b.communes
    return pd.DataFrame(
        {
            "Commune": com["nom"],
            "Code INSEE": com["insee_com"],
            "EPCI": com["nom_epci"],
            "Département": com["insee_dep"],
            "Population": com["population"].map(fmt_int),
            "Superficie": com["area_km2"].map(fmt_km2),
        }
    )


def programme_table(rows: pd.DataFrame) -> pd.DataFrame:
    """List a programme's places in the territory (name, commune, INSEE code, phase)."""
    out = pd.DataFrame(
        {"Nom": rows["nom"], "Commune": rows["commune"], "Code INSEE": rows["insee_com"]}
    )
    if "phase" in rows.columns and rows["phase"].astype(str).str.strip().any():
        out["Phase"] = rows["phase"]
    return out


def comparables_table(b: Briefing) -> pd.DataFrame:
    """Tabulate the comparable territories: population, area, programmes, cases compared."""
    c = b.comparables
    return pd.DataFrame(
        {
            "Territoire comparable": c["nom"],
            "Population (écart)": [
                f"{fmt_int(p)} ({d})"
                for p, d in zip(c["population"], c["population_change"], strict=True)
            ],
            "Superficie (écart)": [
                f"{fmt_km2(a)} ({d})" for a, d in zip(c["area_km2"], c["area_change"], strict=True)
            ],
            "Programmes en commun (nombre chez lui)": c["shared"],
            "Études de cas": c["n_cases"].map(fmt_int),
        }
    )
