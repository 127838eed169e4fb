"""Coverage operations on tiny synthetic geometries."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata.model import basegeo, coverage
from geodata.schema import EPCI, check_schema
from geodata.vocab import CRS_METRIC


def test_dissolve_groups_adjacent_squares_into_one_polygon_per_epci(four_communes):
    epci = coverage.dissolve(four_communes.to_crs(CRS_METRIC), "siren_epci")
    assert list(epci.index) == ["200029999", "240100883"]
    assert all(g.geom_type == "Polygon" for g in epci)  # no internal border left
    assert epci.area.round().tolist() == [200e6, 200e6]


def test_area_is_measured_in_lambert93_not_degrees(four_communes):
    areas = coverage.area_km2(four_communes)
    assert areas.round(3).tolist() == [100.0] * 4


def test_overseas_areas_use_their_local_projection():
    # A 10 km square drawn in UTM 40S (La Réunion) keeps its 100 km² there.
    box = shapely.box(340_000, 7_640_000, 350_000, 7_650_000)
    square = gpd.GeoDataFrame({"insee_dep": ["974"]}, geometry=[box], crs="EPSG:2975")
    square = square.to_crs("EPSG:4326")
    assert coverage.area_km2(square).round(3).tolist() == [100.0]


def test_clean_removes_overlaps_between_neighbours():
    a, b = shapely.box(0, 0, 10, 10), shapely.box(9.5, 0, 20, 10)  # 0.5 m overlap
    cleaned = coverage.clean(np.array([a, b], dtype=object))
    assert shapely.intersection(cleaned[0], cleaned[1]).area == pytest.approx(0, abs=1e-9)
    assert shapely.union_all(cleaned).area == pytest.approx(200)
    assert shapely.coverage_is_valid(cleaned)


def test_clean_keeps_missing_geometry_missing():
    cleaned = coverage.clean(np.array([shapely.box(0, 0, 1, 1), None], dtype=object))
    assert cleaned[1] is None


def _jagged_pair(offsets: list[float]) -> np.ndarray:
    """Two polygons sharing a jagged border at x≈5000 m (one vertex every 100 m)."""
    border = [(5_000 + dx, i * 100.0) for i, dx in enumerate(offsets)]
    top = len(offsets) - 1
    left = shapely.Polygon([(0, 0), *border, (0, top * 100.0)])
    right = shapely.Polygon([(10_000, 0), (10_000, top * 100.0), *reversed(border)])
    return np.array([left, right], dtype=object)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-80, 80), min_size=5, max_size=60))
def test_coverage_simplify_keeps_one_shared_border(offsets):
    pair = _jagged_pair(offsets)
    simplified = coverage.simplify(pair, tolerance=300.0)
    overlap = shapely.intersection(simplified[0], simplified[1]).area
    gap = shapely.union_all(pair).area - shapely.union_all(simplified).area
    assert overlap == pytest.approx(0, abs=1e-6)
    assert abs(gap) == pytest.approx(0, abs=1e-6)
    assert shapely.coverage_is_valid(simplified)


def test_simplify_for_display_keeps_every_code_and_a_valid_coverage(four_communes):
    epci = four_communes.dissolve("siren_epci", as_index=False)
    display = basegeo.simplify_for_display(epci, tolerance_m=1_000)
    assert display["siren_epci"].tolist() == epci["siren_epci"].tolist()
    assert not display.geometry.is_empty.any()
    assert shapely.coverage_is_valid(display.geometry.values)


def test_by_metric_zone_refuses_data_not_in_wgs84(four_communes):
    with pytest.raises(ValueError, match="EPSG:4326"):
        coverage.by_metric_zone(four_communes.to_crs(CRS_METRIC), lambda g: g)


def test_check_schema_names_the_missing_column(four_communes):
    with pytest.raises(ValueError, match="missing column.*'nom'.*available"):
        check_schema(four_communes, EPCI)


def test_check_schema_rejects_codes_that_lost_their_leading_zero():
    df = gpd.GeoDataFrame(
        {"code": ["1"], "nom": ["Ain"], "population": [1], "area_km2": [1.0]},
        geometry=[shapely.box(0, 0, 1, 1)],
        crs="EPSG:4326",
    )
    from geodata.schema import REGIONS

    with pytest.raises(ValueError, match="dtype=str"):
        check_schema(df, REGIONS)
