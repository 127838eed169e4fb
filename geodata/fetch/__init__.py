"""Download the current editions of the official programme lists (``atlas fetch``).

Sources, resolved at run time so each run gets the publisher's current edition:

- ANCT on data.gouv.fr (Licence Ouverte 2.0): Action cœur de ville
  (``programme-action-coeur-de-ville``, "Liste des communes bénéficiaires (COG 2025)",
  ``liste-acv-com2025-*.csv``), Petites villes de demain
  (``programme-petites-villes-de-demain``, ``liste-pvd-com2025-*.csv``), Territoires
  d'industrie member groupings (``programme-territoires-dindustrie``,
  ``liste-ti-grpt2023-*.csv``), Fabriques de territoire and Manufactures de proximité;
- DGCL, BANATIC national export (one row per grouping × member, XLSX; Licence Ouverte
  2.0), written as ``banatic/groupements_<year>.csv`` and ``banatic/adhesions_<year>.csv``
  (the layout of the snapshot, read by :mod:`geodata.sources.banatic`);
- IGN, ADMIN EXPRESS COG CARTO (7z archive, Licence Ouverte 2.0), kept as downloaded and
  fetched only when named (``--only admin_express``): it weighs several hundred MB.

Each list is normalised to the tidy CSV the loaders read from ``ATLAS_DATA_DIR`` (UTF-8,
comma-separated, codes as strings: INSEE 5 characters, SIREN 9 digits). The raw download
is kept under ``<dest>/raw/``; ``<dest>/.fetch_cache.json`` records each source's URL,
ETag, Last-Modified and the sha256 of its raw file, so a rerun asks the server for changes
only (``If-None-Match`` / ``If-Modified-Since``) and reports unchanged lists as such.

HTTP uses the standard library only (``urllib.request``), so tests serve fixture files from
127.0.0.1. Files are written atomically: download to a temporary file in the destination,
check the length against ``Content-Length``, normalise, then ``os.replace`` into place.

A server is not trusted to behave: each file has a byte cap (:attr:`Source.max_bytes`, the
known size with a wide margin) and a deadline for the whole transfer
(:attr:`Source.deadline`, headers included, so a server dripping one byte at a time is
abandoned); bodies are streamed to disk in chunks of :data:`CHUNK`; only ``http(s)`` URLs
are opened, redirects included; the dataset JSON is capped (:data:`API_MAX_BYTES`) before
it is parsed; a workbook's declared unpacked size and number of parts are checked before
it is opened (:func:`check_xlsx_bounds`); temporary files are removed on every failure, and
those of a run that was killed are removed by the next one.
"""

from __future__ import annotations

from geodata.fetch.catalogue import (  # noqa: F401
    ANCT,
    CATALOGUE,
    Source,
    select_sources,
)
from geodata.fetch.download import (  # noqa: F401
    FetchReport,
    SourceResult,
    default_dest,
    fetch,
    run_fetch,
)
from geodata.fetch.http import (  # noqa: F401
    DeadlineExceeded,
    FetchError,
    check_url,
)
from geodata.fetch.limits import (  # noqa: F401
    API_MAX_BYTES,
    BASE_URL_ENV,
    CACHE_FILE,
    CHUNK,
    DATA_GOUV_API,
    DEADLINE,
    DOWNLOADED,
    FAILED,
    LICENCE_OUVERTE,
    MAX_BYTES,
    RAW_DIR,
    UNCHANGED,
    USER_AGENT,
    XLSX_MAX_ENTRIES,
    XLSX_MAX_RATIO,
    XLSX_MAX_UNPACKED,
)
from geodata.fetch.normalise import (  # noqa: F401
    ACV,
    BANATIC_ADHESIONS,
    BANATIC_EXPORT,
    BANATIC_GROUPEMENTS,
    FABRIQUES,
    MANUFACTURES,
    PETR_MEMBRES,
    PVD,
    TI_GROUPEMENTS,
    Tidy,
    check_xlsx_bounds,
    clean_codes,
    normalise_banatic,
    normalise_banatic_layout,
    normalise_table,
    pick_columns,
    read_table,
)
