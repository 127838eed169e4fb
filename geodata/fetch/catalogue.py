"""The catalogue of official sources: where each list is published, and how it is read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from geodata.fetch.limits import DEADLINE, LICENCE_OUVERTE, MAX_BYTES
from geodata.fetch.normalise import (
    ACV,
    FABRIQUES,
    MANUFACTURES,
    PVD,
    TI_GROUPEMENTS,
    normalise_banatic_layout,
    normalise_table,
)
from geodata.sources import anct
from geodata.vocab import PROGRAMMES

# --------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One official list: where to find it and how to make it tidy.

    Give either ``url`` (a direct link) or ``dataset`` (a data.gouv.fr dataset slug, its
    resource chosen by ``match``: substrings all found in the resource's title or URL,
    and ``formats``; the most recently modified one wins). ``output`` is the tidy file
    written in the destination by ``normalise(raw_path) -> DataFrame`` (or the folder
    written when it returns ``{file name: DataFrame}``, as BANATIC does); both ``None``
    keep the raw download as the product (``raw/<name>.<ext>``). ``optional`` sources are
    fetched only when named with ``--only``. ``max_bytes`` caps the download (the known
    size with a wide margin) and ``deadline`` the seconds its whole transfer may take.
    """

    name: str
    description: str
    output: str | None
    normalise: Callable[[Path], pd.DataFrame | dict[str, pd.DataFrame]] | None
    publisher: str
    licence: str
    url: str | None = None
    dataset: str | None = None
    match: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("csv", "xlsx")
    raw_ext: str = "bin"
    optional: bool = False
    max_bytes: int = MAX_BYTES
    deadline: float = DEADLINE

    def __post_init__(self) -> None:
        """Check that the source is located one way and produces one thing, within limits."""
        if not (self.max_bytes > 0 and self.deadline > 0):
            raise ValueError(
                f"source {self.name!r}: max_bytes and deadline must be positive, "
                f"got {self.max_bytes!r} and {self.deadline!r}"
            )
        if (self.url is None) == (self.dataset is None):
            raise ValueError(
                f"source {self.name!r}: give exactly one of url= or dataset=, "
                f"got url={self.url!r}, dataset={self.dataset!r}"
            )
        if (self.output is None) != (self.normalise is None):
            raise ValueError(
                f"source {self.name!r}: output= and normalise= go together "
                f"(got output={self.output!r})"
            )


ANCT = "Agence nationale de la cohésion des territoires (ANCT)"


def _file(name: str) -> str:
    """Return the file an ANCT list is written to, as its reader expects (anct.CATALOGUE)."""
    return anct.CATALOGUE[name].file


CATALOGUE: tuple[Source, ...] = (
    Source(
        "acv",
        f"{PROGRAMMES['acv'].label}: communes and conventions",
        _file("acv"),
        partial(normalise_table, tidy=ACV),
        ANCT,
        LICENCE_OUVERTE,
        dataset="programme-action-coeur-de-ville",
        match=("liste-acv-com",),
        formats=("csv",),
        raw_ext="csv",
    ),
    Source(
        "pvd",
        f"{PROGRAMMES['pvd'].label}: communes",
        _file("pvd"),
        partial(normalise_table, tidy=PVD),
        ANCT,
        LICENCE_OUVERTE,
        dataset="programme-petites-villes-de-demain",
        match=("liste-pvd-com",),
        formats=("csv",),
        raw_ext="csv",
    ),
    Source(
        "ti",
        f"{PROGRAMMES['ti'].label}: member groupings",
        _file("ti"),
        partial(normalise_table, tidy=TI_GROUPEMENTS),
        ANCT,
        LICENCE_OUVERTE,
        dataset="programme-territoires-dindustrie",
        match=("liste-ti-grpt",),
        formats=("csv",),
        raw_ext="csv",
    ),
    # Unconfirmed slug (no look-up reached the dataset page): the most recent CSV/XLSX wins.
    Source(
        "fabriques",
        f"{PROGRAMMES['fabriques'].plural} (tiers-lieux)",
        _file("fabriques"),
        partial(normalise_table, tidy=FABRIQUES),
        ANCT,
        LICENCE_OUVERTE,
        dataset="fabriques-de-territoire",
        raw_ext="csv",
    ),
    # Unconfirmed slug, as above.
    Source(
        "manufactures",
        f"{PROGRAMMES['manufactures'].plural} (productive tiers-lieux)",
        _file("manufactures"),
        partial(normalise_table, tidy=MANUFACTURES),
        ANCT,
        LICENCE_OUVERTE,
        dataset="manufactures-de-proximite",
        raw_ext="csv",
    ),
    Source(
        "banatic",
        "BANATIC national export: groupings and their grouping members",
        "banatic",
        normalise_banatic_layout,
        "Direction générale des collectivités locales (DGCL)",
        LICENCE_OUVERTE,
        url="https://www.banatic.interieur.gouv.fr/consultation/api/export/pregenere/"
        "telecharger/France",
        raw_ext="xlsx",
        max_bytes=200_000_000,
        deadline=900,
    ),
    # Edition name seen in use; URL built on the confirmed geopf pattern of the 2024-02-22
    # edition. Update the date to the current edition from https://geoservices.ign.fr/adminexpress
    Source(
        "admin_express",
        "IGN ADMIN EXPRESS COG CARTO, France entière, WGS84 (7z, large)",
        None,
        None,
        "Institut national de l'information géographique et forestière (IGN)",
        LICENCE_OUVERTE,
        url="https://data.geopf.fr/telechargement/download/ADMIN-EXPRESS-COG-CARTO/"
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02/"
        "ADMIN-EXPRESS-COG-CARTO_3-2__SHP_WGS84G_FRA_2025-04-02.7z",
        raw_ext="7z",
        optional=True,
        max_bytes=2_000_000_000,
        deadline=3600,
    ),
)


def select_sources(
    only: Sequence[str] | None = None, sources: Sequence[Source] | None = None
) -> tuple[Source, ...]:
    """Return the sources to fetch: those named in ``only``, else all but the optional ones.

    Raises
    ------
    ValueError
        Listing the unknown names and the valid ones.

    """
    catalogue = tuple(CATALOGUE if sources is None else sources)
    if not only:
        return tuple(s for s in catalogue if not s.optional)
    wanted = [only] if isinstance(only, str) else list(only)
    names = [s.name for s in catalogue]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ValueError(f"unknown source name(s) {unknown}; valid names: {', '.join(names)}")
    return tuple(s for s in catalogue if s.name in wanted)
