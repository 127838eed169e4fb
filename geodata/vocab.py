"""French administrative vocabulary and project-wide constants, declared once.

Codes are always strings: INSEE commune codes have 5 characters ("01001", "2A004"),
département codes 2 or 3 ("01", "2A", "971"), région codes 2, EPCI SIREN 9 digits.
"""

from __future__ import annotations

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

# Case-study kinds: code -> French label shown in the interface.
KINDS: dict[str, str] = {
    "cluster": "Cluster",
    "pole_competitivite": "Pôle de compétitivité",
    "grappe": "Grappe d'entreprises",
    "tiers_lieu": "Tiers-lieu",
    "fabrique_territoire": "Fabrique de territoire",
    "manufacture_proximite": "Manufacture de proximité",
    "coworking": "Coworking",
    "formation": "Formation",
    "pepiniere": "Pépinière d'entreprises",
    "ptce": "PTCE",
    "association_filiere": "Association de filière",
    "territoire_industrie": "Territoire d'industrie",
    "acv": "Action cœur de ville",
    "pvd": "Petites villes de demain",
    "pays_petr": "Pays / PETR",
    "projet_intercommunal": "Projet intercommunal",
    "autre": "Autre",
}

# Separator for multi-valued cells in human-edited tables (kinds, programmes, partners).
LIST_SEP = ";"
