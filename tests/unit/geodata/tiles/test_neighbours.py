"""Colours of the groupings on the commune layer: two neighbouring groups never share one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geodata.tiles.neighbours import NONE, group_colours, touching_pairs


def _grid(n: int) -> np.ndarray:
    """N × n unit squares, row by row: each touches up to eight others (corners count)."""
    return np.array([shapely.box(x, y, x + 1, y + 1) for y in range(n) for x in range(n)])


def test_touching_pairs_are_the_squares_sharing_a_side_or_a_corner():
    i, j = touching_pairs(_grid(2))
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [
        (0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3),
    ]  # fmt: skip
    far = np.array([shapely.box(0, 0, 1, 1), shapely.box(5, 5, 6, 6), None])
    assert [len(a) for a in touching_pairs(far)] == [0, 0]  # apart, or no geometry


def test_every_square_of_a_grid_differs_from_its_eight_neighbours():
    grid = _grid(5)
    groups = pd.Series([f"g{k}" for k in range(len(grid))])
    pairs = touching_pairs(grid)
    result = group_colours(groups, pairs, 7)
    index = result.index.to_numpy()
    assert result.clashes == 0 and result.groups == 25
    assert (index[pairs[0]] != index[pairs[1]]).all()
    assert set(index) <= set(range(7))
    assert max(np.bincount(index)) - min(np.bincount(index)) <= 2  # balanced


def test_two_groups_with_a_common_neighbour_differ_when_the_colours_allow():
    # a row of nine squares, each its own group: balancing alone gave the first and the
    # third the same colour, which reads as one group across a thin one
    row = np.array([shapely.box(x, 0, x + 1, 1) for x in range(9)])
    index = group_colours(pd.Series([f"g{k}" for k in range(9)]), touching_pairs(row), 7).index
    assert all(index[k] != index[k + 2] for k in range(7)), index.tolist()


def test_members_of_a_group_share_its_colour_and_a_commune_in_several_takes_its_first():
    row = np.array([shapely.box(x, 0, x + 1, 1) for x in range(5)])
    groups = pd.Series(["a", "a", "b;a", "", None], index=[10, 11, 12, 13, 14])
    result = group_colours(groups, touching_pairs(row), 7)
    colour = result.index
    assert colour.index.tolist() == [10, 11, 12, 13, 14]  # aligned with the features
    assert colour[10] == colour[11] != colour[12]  # "b;a" is drawn as b, beside a
    assert colour[13] == colour[14] == NONE and result.groups == 2


def test_too_few_colours_leave_clashes_that_are_counted_not_hidden():
    # three squares meeting at one corner with a fourth: four groups all touching
    result = group_colours(pd.Series(["a", "b", "c", "d"]), touching_pairs(_grid(2)), 3)
    assert result.clashes == 1
    assert set(result.index) <= {0, 1, 2}
