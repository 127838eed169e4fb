"""Vector tiles of the display layers, cut at build time (Mapbox Vector Tile 2.1).

Pure functions, no I/O but :mod:`geodata.tiles.tileset` (which writes a folder):
:mod:`~geodata.tiles.mercator` (tile maths, EPSG:3857, XYZ scheme),
:mod:`~geodata.tiles.simplify` (one coverage per zoom), :mod:`~geodata.tiles.encode`
(clip and encode one tile), :mod:`~geodata.tiles.communes` (the commune layer's
attributes) and :mod:`~geodata.tiles.tileset` (every tile of a layer and ``tileset.json``).
"""
