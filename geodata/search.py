"""Find a commune, an EPCI, a Pays/PETR or a Territoire d'industrie by name or code."""

from __future__ import annotations

import pandas as pd

from geodata.text import fold

INDEX_COLUMNS = ["kind", "id", "label", "detail", "population"]
KIND_ORDER = {"commune": 0, "epci": 1, "pays": 2, "ti": 3}
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
        parts.append(part[INDEX_COLUMNS])
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


def search(index: pd.DataFrame, query: str, limit: int = 10) -> pd.DataFrame:
    """Return the best matches for ``query``: exact code first, then name matches.

    Name matches rank exact name, then names starting with the query, then containing it;
    within a rank, larger populations first (Roanne the town before Roannais hamlets). The
    leading article of a name is optional: "mureaux" is an exact match for "Les Mureaux",
    "puy en velay" for "Le Puy-en-Velay", while "le puy" still finds it by its start.
    """
    q = normalise(query)
    if not q:
        return index.iloc[0:0]
    by_code = index[index["id"].str.lower() == query.strip().lower()]
    rank = pd.Series(3, index=index.index)
    for key in (index["key"], index["key_bare"]):
        rank[key.str.contains(q, regex=False) & (rank > 2)] = 2
        rank[key.str.startswith(q) & (rank > 1)] = 1
        rank[key == q] = 0
    hits = index.assign(
        _rank=rank,
        _kind=index["kind"].map(KIND_ORDER),
        _pop=pd.to_numeric(index["population"], errors="coerce").fillna(0),
    )
    hits = hits[hits["_rank"] < 3]
    hits = hits.sort_values(["_rank", "_kind", "_pop"], ascending=[True, True, False])
    out = pd.concat([by_code, hits[index.columns]]).drop_duplicates(["kind", "id"])
    return out.head(limit).reset_index(drop=True)
