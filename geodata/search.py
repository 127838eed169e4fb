"""Find a région, a département, a commune, an EPCI, a Pays/PETR or a TI by name or code.

Ranked for a reader: an exact code first; then the names equal to the query or starting
with it, by kind (région, département, commune, EPCI, TI, Pays) and population
(Clermont-Ferrand before Clermont in the Oise for "Clermont"); then the names containing
it. The territories of the active région come before the others of their rank, and the
Territoires d'industrie of a town named exactly follow it ("Thiers", then the TI holding
Thiers). An index may carry ``regs`` (codes of the régions a territory intersects),
``tis`` (ids of the TI holding a commune), ``;``-separated, and ``tid`` (the territory id,
"reg-84", found as a code); see
:func:`geodata.scope.place_index`.
"""

from __future__ import annotations

import pandas as pd

from geodata.text import fold

INDEX_COLUMNS = ["kind", "id", "label", "detail", "population"]
OPTIONAL_COLUMNS = ("regs", "tis", "tid")  # kept when given, else empty
KIND_ORDER = {"region": 0, "departement": 1, "commune": 2, "epci": 3, "ti": 4, "pays": 5}
# Leading articles of official names (the COG's name types), as :func:`normalise` spells
# them: "L'Isle-Jourdain" -> "l isle jourdain". A query may leave the article out.
ARTICLES = ("le", "la", "les", "l", "aux", "las", "los")


def normalise(text: str) -> str:
    """Lower-case, strip accents, read hyphens and apostrophes as spaces.

    "Saint-Étienne" -> "saint etienne"; "L'Isle-Jourdain" -> "l isle jourdain".
    """
    plain = fold(text)
    for sep in "-'’":
        plain = plain.replace(sep, " ")
    return " ".join(plain.split())


def build_index(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Stack place tables into one search index.

    Parameters
    ----------
    frames : dict
        kind ("commune", "epci", "pays", "ti") -> DataFrame with ``id, label, detail``
        and optionally ``population``.

    Returns
    -------
    DataFrame
        ``kind, id, label, detail, population, key, key_bare`` (``key`` = normalised
        label; ``key_bare`` = the same without its leading article, see
        :func:`without_article`).

    """
    parts = []
    for kind, df in frames.items():
        missing = {"id", "label", "detail"} - set(df.columns)
        if missing:
            raise ValueError(f"search index {kind!r}: missing column(s) {sorted(missing)}")
        part = df.assign(kind=kind)
        if "population" not in part:
            part["population"] = pd.NA
        for column in OPTIONAL_COLUMNS:
            if column not in part:
                part[column] = ""
        parts.append(part[[*INDEX_COLUMNS, *OPTIONAL_COLUMNS]])
    index = pd.concat(parts, ignore_index=True)
    index["key"] = index["label"].map(normalise)
    index["key_bare"] = index["key"].map(without_article)
    return index


def without_article(key: str) -> str:
    """Drop a normalised name's leading article ("les mureaux" -> "mureaux").

    A name that is only an article, or has no article, is returned unchanged.
    """
    head, _, rest = key.partition(" ")
    return rest if head in ARTICLES and rest else key


def search(index: pd.DataFrame, query: str, limit: int = 10, region: str = "") -> pd.DataFrame:
    """Return the best matches for ``query`` (at most ``limit``), ranked for a reader.

    Parameters
    ----------
    index : DataFrame
        From :func:`build_index` (``regs`` and ``tis`` used when present).
    query : str
        A name (accents, case, hyphens and a leading article are optional) or a code.
    limit : int
        Most rows returned. An exact code or an exact name is always among them.
    region : str
        Code of the active région: its territories come first within their rank.

    Returns
    -------
    DataFrame
        Rows of ``index``: the exact code first; then names equal to the query or starting
        with it, by kind (:data:`KIND_ORDER`) and population; then names containing it.
        After the first commune named exactly come the TI holding it (``tis``).

    """
    q = normalise(query)
    if not q:
        return index.iloc[0:0]
    code = query.strip().lower()
    rank = pd.Series(3, index=index.index)
    exact = pd.Series(False, index=index.index)
    for key in (index["key"], index["key_bare"]):
        rank[key.str.contains(q, regex=False) & (rank > 2)] = 2
        rank[key.str.startswith(q) & (rank > 1)] = 1
        exact |= key == q
    rank[index["id"].str.lower() == code] = 0
    if "tid" in index:  # the territory id of every command and URL: "reg-84", "dep-63"
        rank[index["tid"].fillna("").str.lower() == code] = 0
    regs = index["regs"] if "regs" in index else pd.Series("", index=index.index)
    local = regs.fillna("").map(lambda v: region in v.split(";")) if region else False
    hits = index.assign(
        _rank=rank,
        _local=local,
        _kind=index["kind"].map(KIND_ORDER).fillna(len(KIND_ORDER)),
        _pop=pd.to_numeric(index["population"], errors="coerce").fillna(0),
        _must=exact | (rank == 0),
    )
    hits = hits[hits["_rank"] < 3]
    order = ["_rank", "_local", "_kind", "_pop"]
    hits = hits.sort_values(order, ascending=[True, False, True, False], kind="stable")
    must = hits[hits["_must"]].head(limit)
    kept = pd.concat([must, hits[~hits["_must"]].head(limit - len(must))])
    kept = kept.sort_values(order, ascending=[True, False, True, False], kind="stable")
    kept = _with_town_ti(index, kept, exact)
    return kept[index.columns].head(limit).reset_index(drop=True)


def _with_town_ti(index: pd.DataFrame, hits: pd.DataFrame, exact: pd.Series) -> pd.DataFrame:
    """Put the TI holding the first commune named exactly right after it (once)."""
    if "tis" not in index:
        return hits
    ti_rows = index[index["kind"] == "ti"].set_index("id", drop=False)
    parts, seen, town = [], set(), None
    for label, row in hits.iterrows():
        if (row["kind"], row["id"]) in seen:
            continue
        parts.append(hits.loc[[label]])
        seen.add((row["kind"], row["id"]))
        if town is None and row["kind"] == "commune" and exact.get(label, False):
            town = label
            for ti_id in filter(None, str(row["tis"]).split(";")):
                if ti_id in ti_rows.index and ("ti", ti_id) not in seen:
                    parts.append(ti_rows.loc[[ti_id]])
                    seen.add(("ti", ti_id))
    return pd.concat(parts) if parts else hits
