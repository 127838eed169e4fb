"""The declared schemas' checks: CRS, codes (geodata/schema.py)."""

from __future__ import annotations

import threading

import geopandas as gpd
import pytest
import shapely

from geodata.schema import Schema, check_schema, is_crs
from layers.geojson import to_feature_collection


def _points(crs: str | None) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(700_000, 6_600_000)], crs=crs)


def test_is_crs_tells_the_display_crs_from_lambert_93_and_none(four_communes):
    assert is_crs(four_communes.crs, "EPSG:4326")
    assert not is_crs(four_communes.to_crs("EPSG:2154").crs, "EPSG:4326")
    assert is_crs(four_communes.to_crs("EPSG:2154").crs, "EPSG:2154")
    assert not is_crs(None, "EPSG:4326")


def test_is_crs_gives_the_same_answer_in_another_thread(four_communes):
    # Streamlit runs each rerun in a new thread; pyproj keeps its objects per thread.
    answers = []
    lambert = four_communes.to_crs("EPSG:2154")
    worker = threading.Thread(
        target=lambda: answers.extend(
            [is_crs(four_communes.crs, "EPSG:4326"), is_crs(lambert.crs, "EPSG:4326")]
        )
    )
    worker.start()
    worker.join()
    assert answers == [True, False]


def test_map_data_and_schemas_refuse_a_layer_in_lambert_93():
    with pytest.raises(ValueError, match="reproject explicitly"):
        to_feature_collection(_points("EPSG:2154"))
    schema = Schema("points", {"id": "str"}, geometry_types=("Point",))
    with pytest.raises(ValueError, match="CRS should be EPSG:4326"):
        check_schema(_points("EPSG:2154"), schema)
    with pytest.raises(ValueError, match="CRS should be EPSG:4326"):
        check_schema(_points(None), schema)


def test_map_data_is_the_geojson_geopandas_writes(four_communes):
    assert to_feature_collection(four_communes) == four_communes.to_json(
        drop_id=True, na="null", separators=(",", ":")
    )
