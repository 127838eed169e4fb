"""One simplified coverage per zoom level, neighbours keeping one shared border.

Input is a clean coverage (:func:`geodata.model.coverage.clean`) in Web Mercator metres
(EPSG:3857), where a screen pixel has the same size everywhere at one zoom
(:func:`geodata.tiles.mercator.pixel_m`). Each zoom's coverage is simplified with
``shapely.coverage_simplify`` on the whole layer at once (shared edges simplified once,
so no gap or overlap opens between neighbours), from the next finer zoom's coverage:
each step removes only what the coarser zoom cannot show, which is faster than starting
again from the full geometry. ``coverage_simplify`` keeps every polygon.
"""

from __future__ import annotations

import numpy as np

from geodata.model import coverage
from geodata.tiles.mercator import pixel_m

TOLERANCE_PX = 0.5  # simplification tolerance, in screen pixels of the zoom


def tolerance_m(z: int, px: float = TOLERANCE_PX) -> float:
    """Return the simplification tolerance at zoom ``z``, in EPSG:3857 metres."""
    return px * pixel_m(z)


def per_zoom(geoms_m: np.ndarray, zooms: range, px: float = TOLERANCE_PX) -> dict[int, np.ndarray]:
    """Simplify a coverage for each zoom of ``zooms``.

    Parameters
    ----------
    geoms_m : array of shapely polygons, EPSG:3857
        A clean coverage (missing geometries are kept as None).
    zooms : range
        The zoom levels, e.g. ``range(4, 11)``.
    px : float
        Tolerance in screen pixels of each zoom.

    Returns
    -------
    dict of int to array
        The coverage of each zoom, same order and length as ``geoms_m``, EPSG:3857.
    """
    out: dict[int, np.ndarray] = {}
    current = np.asarray(geoms_m, dtype=object)
    for z in sorted(zooms, reverse=True):
        current = coverage.simplify(current, tolerance_m(z, px))
        out[z] = current
    return dict(sorted(out.items()))
