"""French administrative vocabulary and project-wide constants, declared once.

Codes are always strings: INSEE commune codes have 5 characters ("01001", "2A004"),
département codes 2 or 3 ("01", "2A", "971"), région codes 2, EPCI SIREN 9 digits.

The national programmes (:data:`PROGRAMMES`) are declared here once, by code: their French
labels, the layer they feed, their lists and phases. Adding a programme list is one
:class:`Programme` here plus its reader spec in :data:`geodata.sources.anct.CATALOGUE`;
the build, the counts, the briefing and the panel follow.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column names shared by every dataset.
INSEE_COM = "insee_com"
INSEE_DEP = "insee_dep"
INSEE_REG = "insee_reg"
SIREN_EPCI = "siren_epci"
ID_TI = "id_ti"
PAYS_ID = "pays_id"
GEOMETRY = "geometry"

# Coordinate reference systems: measure and simplify in metres, display in degrees.
CRS_METRIC = "EPSG:2154"  # RGF93 / Lambert-93 (metropolitan France)
CRS_DISPLAY = "EPSG:4326"  # WGS 84, what Leaflet and GeoJSON expect

# Where French communes lie, in degrees (EPSG:4326), axis order
# (min_lon, min_lat, max_lon, max_lat) — the order of shapely's ``bounds`` and GeoPandas'
# ``total_bounds``. Leaflet wants [[lat, lon], [lat, lon]]: see :func:`leaflet_bounds`.
FRANCE_BOXES: dict[str, tuple[float, float, float, float]] = {
    "métropole": (-5.3, 41.2, 9.7, 51.2),  # with Corsica
    "Guadeloupe": (-61.9, 15.8, -60.9, 16.6),
    "Martinique": (-61.3, 14.3, -60.75, 14.95),
    "Guyane": (-54.7, 2.0, -51.5, 5.9),
    "La Réunion": (55.15, -21.45, 55.9, -20.8),
    "Mayotte": (44.9, -13.1, 45.35, -12.55),
    "Saint-Pierre-et-Miquelon": (-56.5, 46.7, -56.1, 47.2),
    "Saint-Barthélemy et Saint-Martin": (-63.2, 17.85, -62.75, 18.15),
    "Nouvelle-Calédonie": (163.5, -23.0, 168.2, -19.0),
    "Polynésie française": (-155.0, -28.0, -134.0, -7.5),
    "Wallis-et-Futuna": (-178.3, -14.5, -176.0, -13.1),
}
# The extent the maps open on (metropolitan France), same axis order.
FRANCE_VIEW: tuple[float, float, float, float] = (-5.2, 41.3, 9.6, 51.1)


def in_france(lon: float, lat: float) -> bool:
    """Tell whether the point ``(lon, lat)`` (degrees) lies in one of :data:`FRANCE_BOXES`."""
    return any(x0 <= lon <= x1 and y0 <= lat <= y1 for x0, y0, x1, y1 in FRANCE_BOXES.values())


def leaflet_bounds(box: tuple[float, float, float, float]) -> list[list[float]]:
    """Turn ``(min_lon, min_lat, max_lon, max_lat)`` into Leaflet's ``[[lat, lon], [lat, lon]]``.

    ``leaflet_bounds(gdf.total_bounds)`` gives the south-west and north-east corners.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    return [[y0, x0], [y1, x1]]


# Separator for multi-valued cells in human-edited tables (kinds, programmes, partners).
LIST_SEP = ";"


@dataclass(frozen=True)
class Programme:
    """One national programme (or census) as the atlas names, reads, builds and counts it.

    ``key`` is its code everywhere: the key of its counts (``n_<key>``), of the briefing's
    tables, and the ``family`` code of its rows in the ``tiers_lieux`` layer. ``lists`` are
    the ANCT lists read for it (keys of :data:`geodata.sources.anct.CATALOGUE`, where each
    list's file and columns are declared), with the phase label of each in ``phases``.
    ``kind`` says how it is counted: ``"town"`` selects communes (a commune counts once),
    ``"site"`` lists sites (counted one by one), ``"census"`` is a census of sites
    (counted, but not a programme a commune takes part in), ``"territory"`` lists
    groupings (perimeters, not counted as points).
    """

    key: str
    label: str  # French, one item: "Action cœur de ville", "Fabrique de territoire"
    plural: str  # French heading of its table: "Fabriques de territoire"
    short: tuple[str, str]  # short French label for one, for several: ("Fabrique", "Fabriques")
    layer: str  # built layer its rows go to ("acv", "tiers_lieux", "ti")
    lists: tuple[str, ...]  # ANCT lists read, in order (anct.CATALOGUE keys)
    kind: str  # "town", "site", "census" or "territory"
    phases: tuple[str, ...] = ()  # phase label of each list ("" for none)
    source: str = ""  # in the tiers_lieux layer, the ``source`` shown if not its label

    @property
    def source_label(self) -> str:
        """French label of its rows in the ``tiers_lieux`` layer (column ``source``)."""
        return self.source or self.label

    def phase_of(self, list_name: str) -> str:
        """Phase label of one of its lists ("" when the programme has no phases)."""
        return self.phases[self.lists.index(list_name)] if self.phases else ""


TIERS_LIEUX = "tiers_lieux"  # the built layer holding every tiers-lieux family
TIERS_LIEUX_LABEL = "Tiers-lieux"
# The programmes, in the order of every table, count and chart (add a list: one entry here
# and its reader spec in geodata.sources.anct.CATALOGUE).
PROGRAMMES: dict[str, Programme] = {
    p.key: p
    for p in (
        Programme(
            "acv",
            "Action cœur de ville",
            "Action cœur de ville",
            ("ACV", "ACV"),
            "acv",
            ("acv", "acv2"),
            "town",
            phases=("2018", "2023"),
        ),
        Programme(
            "pvd",
            "Petites villes de demain",
            "Petites villes de demain",
            ("PVD", "PVD"),
            "pvd",
            ("pvd",),
            "town",
        ),
        Programme(
            "fabriques",
            "Fabrique de territoire",
            "Fabriques de territoire",
            ("Fabrique", "Fabriques"),
            TIERS_LIEUX,
            ("fabriques",),
            "site",
        ),
        Programme(
            "manufactures",
            "Manufacture de proximité",
            "Manufactures de proximité",
            ("Manufacture", "Manufactures"),
            TIERS_LIEUX,
            ("manufactures",),
            "site",
        ),
        Programme(
            "france_services",
            "France services",
            "France services",
            ("France services", "France services"),
            "france_services",
            ("france_services",),
            "site",
        ),
        Programme(
            "villages_avenir",
            "Villages d'avenir",
            "Villages d'avenir",
            ("Village d'avenir", "Villages d'avenir"),
            "villages_avenir",
            ("villages_avenir",),
            "town",
        ),
        Programme(
            "tiers_lieux_2019",
            "Tiers-lieu (recensement 2019)",
            "Tiers-lieux (recensement 2019)",
            ("tiers-lieu 2019", "tiers-lieux 2019"),
            TIERS_LIEUX,
            ("tiers_lieux_2019",),
            "census",
            source="Recensement 2019",
        ),
        Programme(
            "ti",
            "Territoires d'industrie",
            "Territoires d'industrie",
            ("TI", "TI"),
            "ti",
            ("ti", "ti_2019"),
            "territory",
            phases=("2023-2027", "2018-2022"),
        ),
        Programme(
            "fabriques_prospectives",
            "Fabriques prospectives",
            "Fabriques prospectives",
            ("Fabrique prospective", "Fabriques prospectives"),
            "fabriques_prospectives",
            ("fabriques_prospectives",),
            "territory",
        ),
    )
}
# The current phase of the Territoires d'industrie: the one a TI id names today (the
# 2018-2022 list reuses some ids for other territories).
TI_CURRENT_PHASE = PROGRAMMES["ti"].phases[0]

# Case-study kinds: code -> French label shown in the interface.
KINDS: dict[str, str] = {
    "cluster": "Cluster",
    "pole_competitivite": "Pôle de compétitivité",
    "grappe": "Grappe d'entreprises",
    "tiers_lieu": "Tiers-lieu",
    "fabrique_territoire": PROGRAMMES["fabriques"].label,
    "manufacture_proximite": PROGRAMMES["manufactures"].label,
    "coworking": "Coworking",
    "formation": "Formation",
    "pepiniere": "Pépinière d'entreprises",
    "ptce": "PTCE",
    "association_filiere": "Association de filière",
    "territoire_industrie": "Territoire d'industrie",
    "acv": PROGRAMMES["acv"].label,
    "pvd": PROGRAMMES["pvd"].label,
    "pays_petr": "Pays / PETR",
    "projet_intercommunal": "Projet intercommunal",
    "autre": "Autre",
}

# Programmes counted as points (towns and sites), in table order.
POINT_PROGRAMMES: tuple[str, ...] = tuple(
    k for k, p in PROGRAMMES.items() if p.kind in ("town", "site", "census")
)
# Programmes that select communes: a commune counts once (ACV lists a town in both phases).
TOWN_PROGRAMMES: tuple[str, ...] = tuple(k for k, p in PROGRAMMES.items() if p.kind == "town")
# Tiers-lieux families (codes) of the ``tiers_lieux`` layer, in order.
TIERS_LIEUX_FAMILIES: tuple[str, ...] = tuple(
    k for k, p in PROGRAMMES.items() if p.layer == TIERS_LIEUX
)


def programme_of_list(list_name: str) -> Programme:
    """Return the programme an ANCT list (a key of ``anct.CATALOGUE``) is read for.

    Raises
    ------
    ValueError
        When no programme of :data:`PROGRAMMES` names the list.

    """
    for programme in PROGRAMMES.values():
        if list_name in programme.lists:
            return programme
    raise ValueError(
        f"list {list_name!r} belongs to no programme of geodata.vocab.PROGRAMMES;"
        f" add it to a Programme's lists (known: "
        f"{[n for p in PROGRAMMES.values() for n in p.lists]})"
    )


def point_layers() -> dict[str, str]:
    """Built point layers of the programmes, in table order: layer key -> French label.

    A layer fed by one programme is named after it; the ``tiers_lieux`` layer, fed by
    several families, is "Tiers-lieux".
    """
    out: dict[str, str] = {}
    for key in POINT_PROGRAMMES:
        p = PROGRAMMES[key]
        out.setdefault(p.layer, TIERS_LIEUX_LABEL if p.layer == TIERS_LIEUX else p.label)
    return out


# Ids of our own rows (case studies, programme entries) end up in URLs, file names and HTML
# attributes: a slug of lowercase ASCII letters and digits joined by "-" or "_", at most 80.
ID_PATTERN = r"[a-z0-9]+(?:[-_][a-z0-9]+)*"
ID_MAX_LENGTH = 80
