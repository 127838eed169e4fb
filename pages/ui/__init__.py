"""Widgets and helpers shared by the routed pages (cached loaders, map state, panel, search)."""
