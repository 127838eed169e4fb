"""Colours for the groupings of a coverage (EPCI, Pays, TI) such that neighbours differ.

The commune layer can colour each commune by its EPCI, Pays / PETR or Territoire
d'industrie. Colours picked from the group's id alone (a hash) give two neighbouring
groups the same colour about one time in seven, and the two then read as one territory.
Here each group gets a colour index such that two groups with touching communes never
share it: a greedy colouring of the groups' adjacency graph, most-connected groups first.
Among the free indices a group takes the one least used by its neighbours' neighbours
(two groups across a thin third one otherwise often read as one: France's EPCI, 870 such
pairs alike of 7,677 instead of 1,340; Pays / PETR 5 of 197 instead of 32; TI 1 of 295
instead of 51), then the one used least so far (the colours stay balanced on the map).
Maps of territories are planar-like graphs: with seven colours a group almost always
finds one free (France's EPCI, Pays and TI: always, in the real build); if none were
free, the group takes the index its neighbours use least, and :func:`group_colours`
counts it as a clash, which the build reports.

Adjacency is read from the commune coverage, whose neighbours share their border exactly
(the clean coverage of the ``base`` stage): two communes are neighbours when their
polygons intersect (a shared point is enough). No projection is needed: only topology.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geodata.vocab import LIST_SEP

NONE = -1  # the colour index of a commune in no group


@dataclass(frozen=True)
class Colouring:
    """One colour index per feature (``NONE`` without a group) and the clashes left."""

    index: pd.Series  # int64, aligned with the features
    groups: int  # groups coloured
    clashes: int  # neighbouring groups left with the same index (0 with enough colours)


def touching_pairs(geometry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)``, ``i < j``, of the polygons that intersect (share a border)."""
    geoms = np.asarray(geometry, dtype=object)
    present = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    tree = shapely.STRtree(geoms[present])
    a, b = tree.query(geoms[present], predicate="intersects")
    keep = a < b
    return present[a[keep]], present[b[keep]]


def group_colours(
    groups: pd.Series, pairs: tuple[np.ndarray, np.ndarray], colours: int
) -> Colouring:
    """Colour each feature by its group so that neighbouring groups differ.

    Parameters
    ----------
    groups : Series of str
        Each feature's group ids, ``;``-joined (a commune in several Pays or TI): the first
        one colours it, as the map reads it; ``""`` or missing for none.
    pairs : (ndarray, ndarray)
        Positions of the touching features (:func:`touching_pairs`).
    colours : int
        How many colours the map has (indices ``0 .. colours - 1``).
    """
    first = groups.fillna("").astype(str).str.split(LIST_SEP).str[0].to_numpy()
    a, b = first[pairs[0]], first[pairs[1]]
    edge = (a != b) & (a != "") & (b != "")
    neighbours: dict[str, set[str]] = {g: set() for g in first if g}
    for x, y in zip(a[edge], b[edge], strict=True):
        neighbours[x].add(y)
        neighbours[y].add(x)
    order = sorted(neighbours, key=lambda g: (-len(neighbours[g]), g))  # deterministic
    index: dict[str, int] = {}
    used = Counter({c: 0 for c in range(colours)})
    for g in order:
        taken = Counter(index[n] for n in neighbours[g] if n in index)
        free = [c for c in range(colours) if c not in taken]
        pool = free or sorted(range(colours), key=lambda c: taken[c])[:1]
        second = Counter(
            index[m] for n in neighbours[g] for m in neighbours[n] if m != g and m in index
        )
        index[g] = min(pool, key=lambda c: (second[c], used[c], c))
        used[index[g]] += 1
    clashes = sum(index[x] == index[y] for x in neighbours for y in neighbours[x] if x < y)
    values = pd.Series(first, index=groups.index).map(index).fillna(NONE).astype("int64")
    return Colouring(values, len(index), clashes)
