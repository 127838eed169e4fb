"""Take one proposal from the public form: honeypot, rate limits, validation, duplicates.

:func:`submit_proposal` is what *Proposer une coopération* calls on submit; it returns an
:class:`Outcome` the page turns into a message. In order: a filled honeypot field (a
field hidden from people, filled by bots) is accepted silently and nothing is stored; a
session or the whole site over its hourly limit is refused; the validator of
``atlas check`` must find no error; proposals and case studies with a close name at the
same place are offered as "vouliez-vous dire" until the proposer confirms; the same
cooperation proposed twice (same folded name, place and source) is stored once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd

from geodata.contributions import validate
from geodata.contributions.store import Proposal, Store, place_key
from geodata.problems import Problem
from geodata.sources.cases import case_problem
from geodata.text import fold_words

SESSION_LIMIT = (10, 3600)  # submissions per browser session per hour
GLOBAL_LIMIT = (300, 3600)  # submissions for the whole site per hour
SIMILAR_CUTOFF = 0.75
NO_PLACE = case_problem(
    "formulaire",
    1,
    "place",
    "",
    "un lieu : une commune, une intercommunalité, un Pays, un Territoire d'industrie "
    "ou un point (latitude et longitude)",
)


@dataclass
class Outcome:
    """What became of a submission: ``status`` and what the page shows."""

    status: str  # stored, duplicate, similar, invalid, limited, ignored
    proposal: Proposal | None = None
    problems: list[Problem] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)  # names of close proposals or cases


def submit_proposal(
    store: Store,
    data: dict,
    contact: str,
    *,
    honeypot: str,
    session_id: str,
    confirmed_new: bool = False,
    cases: pd.DataFrame | None = None,
    session_limit: tuple[int, int] = SESSION_LIMIT,
    global_limit: tuple[int, int] = GLOBAL_LIMIT,
) -> Outcome:
    """Check and store one proposal of the public form; see the module docstring.

    ``cases`` (the atlas's case studies) are searched for close names at the same place
    too; ``confirmed_new`` is the proposer's answer to a first "vouliez-vous dire".
    """
    if honeypot.strip():
        return Outcome("ignored")
    if not store.hit(f"session:{session_id}", *session_limit) or not store.hit(
        "global", *global_limit
    ):
        return Outcome("limited")
    clean, problems = validate.check_form(data, contact)
    if clean is not None and not place_key(clean):
        clean, problems = None, [*problems, NO_PLACE]
    if clean is None:
        return Outcome("invalid", problems=problems)
    if not confirmed_new:
        close = [p.name for p in store.similar(clean, SIMILAR_CUTOFF)]
        close += similar_cases(clean, cases)
        if close:
            return Outcome("similar", problems=problems, similar=close)
    [(proposal, created)] = store.submit(
        [(clean, contact.strip() or None)], "formulaire", "formulaire"
    )
    return Outcome("stored" if created else "duplicate", proposal, problems)


def similar_cases(data: dict, cases: pd.DataFrame | None) -> list[str]:
    """Names of the case studies at the same place as ``data`` with a close name."""
    if cases is None or cases.empty:
        return []
    key, wanted = place_key(data), fold_words(data.get("name", ""))
    out = []
    for rec in pd.DataFrame(cases.drop(columns="geometry", errors="ignore")).to_dict("records"):
        rec = {
            k: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v
            for k, v in rec.items()
        }
        if place_key(rec) != key:
            continue
        ratio = difflib.SequenceMatcher(None, wanted, fold_words(rec.get("name", ""))).ratio()
        if ratio >= SIMILAR_CUTOFF:
            out.append(str(rec["name"]))
    return out
