"""Source-fault repairs on synthetic commune rows."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from geodata.model import basegeo


def _raw(rows):
    columns = ["row_id", "insee_com", "com_type", "nom", "parent_id", "geometry"]
    df = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")


def test_commune_nouvelle_without_geometry_is_rebuilt_from_its_deleguees():
    raw = _raw(
        [
            ["1", "12218", "COM", "Conques-en-Rouergue", "", None],
            ["2", "12076", "COMD", "Conques", "1", shapely.box(0, 0, 1, 1)],
            ["3", "12120", "COMD", "Grand-Vabre", "1", shapely.box(1, 0, 2, 1)],
            ["4", "12001", "COM", "Agen-d'Aveyron", "", shapely.box(5, 5, 6, 6)],
        ]
    )
    com, faults = basegeo.repair_missing_geometries(raw)
    assert com["insee_com"].tolist() == ["12218", "12001"]  # délégués are not communes
    assert com.geometry.iloc[0].area == 2.0
    assert [(f.code, f.kind) for f in faults] == [("12218", "no geometry")]
    assert "2 communes déléguées" in faults[0].fix


def test_commune_with_nothing_to_rebuild_from_is_kept_and_reported():
    raw = _raw([["1", "15031", "COM", "Celles", "", None]])
    com, faults = basegeo.repair_missing_geometries(raw)
    assert len(com) == 1 and com.geometry.isna().all()
    assert "son EPCI a un trou" in faults[0].fix
