"""Pure functions on GeoDataFrames: coverages, placement, reconciliation, perimeters, facts."""
