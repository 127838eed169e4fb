"""Tiny synthetic base geography for the ANCT list tests (no copy of the real lists).

Ten-kilometre squares drawn in metres and reprojected to EPSG:4326, with realistic codes:
four communes of the Ain in two EPCI, Paris and two communes of Seine-Saint-Denis in the
Métropole du Grand Paris, Ajaccio (2A004) and Saint-Denis de La Réunion (97411).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geodata.vocab import CRS_DISPLAY, CRS_METRIC

# insee_com, nom, siren_epci, insee_dep, insee_reg, population, x0, y0 (metres), CRS
COMMUNES = [
    ("01001", "L'Abergement-Clémenciat", "200029999", "01", "84", 100, 850_000, 6_550_000),
    ("01002", "L'Abergement-de-Varey", "200029999", "01", "84", 200, 860_000, 6_550_000),
    ("01004", "Ambérieu-en-Bugey", "240100883", "01", "84", 300, 870_000, 6_550_000),
    ("01005", "Ambérieux-en-Dombes", "240100883", "01", "84", 400, 880_000, 6_550_000),
    ("75056", "Paris", "200054781", "75", "11", 2_000, 650_000, 6_860_000),
    ("93001", "Aubervilliers", "200054781", "93", "11", 800, 660_000, 6_860_000),
    ("93066", "Saint-Denis", "200054781", "93", "11", 900, 670_000, 6_860_000),
    ("2A004", "Ajaccio", "242010056", "2A", "94", 700, 1_175_000, 6_100_000),
]
REUNION = ("97411", "Saint-Denis", "249740119", "974", "04", 150, 335_000, 7_680_000)
SIDE = 10_000
GROUPEMENTS_TABLE = [
    ("200057867", "Plaine Commune", "EPT", "93001", "Aubervilliers"),
    ("200057867", "Plaine Commune", "EPT", "93066", "Saint-Denis"),
    ("210100046", "Ambérieu-en-Bugey", "commune", "01004", "Ambérieu-en-Bugey"),
    ("210100038", "Ancienne commune", "commune", "01003", "Ancienne commune"),
]

# An ACV list covering every kind of code, one row per case (line numbers of the file).
ACV_TEXT = (
    "insee_com,lib_com,id_acv,lib_acv,date_signature\n"
    '01001,L\'Abergement,acv-001,"Cœur de ville\n(sur deux lignes)",\n'  # lines 2-3
    "01003,Ancienne commune,acv-002,Ancienne,\n"  # line 4: commune déléguée
    "75101,Paris 1er,acv-003,Paris Centre,\n"  # line 5: arrondissement
    "1002,Abergement-de-Varey,acv-004,Varey,\n"  # line 6: leading zero lost
    "01999,Inconnue,acv-005,Inconnue,\n"  # line 7: unknown to the COG
    "97801,Saint-Martin,acv-006,Marigot,\n"  # line 8: collectivité d'outre-mer
    "01001,L'Abergement,acv-007,Second site,\n"  # line 9: same commune again
    ",Sans code,acv-008,Sans code,\n"  # line 10: no code
)
# A TI list (2023-2027 layout): an EPCI, a commune SIREN, an EPT, unknown codes.
TI_TEXT = (
    "id_ti,lib_ti,siren_groupement,lib_groupement\n"
    "ti-0101,Ain industriel,200029999,CC de test\n"  # line 2: an EPCI (01001, 01002)
    "ti-0101,Ain industriel,210100046,Ambérieu-en-Bugey\n"  # line 3: a commune by its SIREN
    "ti-0102,Plaine Commune,200057867,EPT Plaine Commune\n"  # line 4: an EPT (93001, 93066)
    "ti-0102,Plaine Commune,999999999,Groupement inconnu\n"  # line 5: cannot be placed
    "ti-0103,Dombes,240100883,CC de la Dombes\n"  # line 6: overlaps ti-0101 on 01004
    "ti-0104,Fantôme,12345,\n"  # line 7: not a SIREN, the TI has no placed member
)


def _squares(rows: list[tuple], crs: str) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(
        [r[:6] for r in rows],
        columns=["insee_com", "nom", "siren_epci", "insee_dep", "insee_reg", "population"],
    )
    boxes = [shapely.box(r[6], r[7], r[6] + SIDE, r[7] + SIDE) for r in rows]
    return gpd.GeoDataFrame(frame, geometry=boxes, crs=crs).to_crs(CRS_DISPLAY)


def communes() -> gpd.GeoDataFrame:
    """The synthetic communes layer (schema of ``communes.parquet``, EPSG:4326)."""
    gdf = pd.concat(
        [_squares(COMMUNES, CRS_METRIC), _squares([REUNION], "EPSG:2975")], ignore_index=True
    )
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=CRS_DISPLAY)
    gdf["population"] = gdf["population"].astype("Int64")
    gdf["area_km2"] = 100.0
    cols = [
        "insee_com",
        "nom",
        "population",
        "siren_epci",
        "insee_dep",
        "insee_reg",
        "area_km2",
        "geometry",
    ]
    return gdf[cols]


def reference() -> pd.DataFrame:
    """The COG reference: every commune, a commune déléguée (01003) and an arrondissement."""
    rows = [(c[0], c[1], "COM", "", c[3]) for c in [*COMMUNES, REUNION]]
    rows += [
        ("01003", "Ancienne commune", "COMD", "01001", "01"),
        ("75101", "Paris 1er Arrondissement", "ARM", "75056", "75"),
    ]
    return pd.DataFrame(rows, columns=["insee_com", "nom", "com_type", "parent_insee", "insee_dep"])


def groupements_table() -> pd.DataFrame:
    """The table of member groupings that are not EPCI (an EPT, two commune SIREN)."""
    return pd.DataFrame(
        GROUPEMENTS_TABLE, columns=["siren", "nom", "nature", "insee_com", "nom_commune"]
    )


def write(path: Path, text: str) -> Path:
    """Write ``text`` as a UTF-8 file and return its path."""
    path.write_text(text, encoding="utf-8")
    return path
