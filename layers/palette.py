"""Colour-blind-safe palette (Okabe & Ito, 2008), one colour per layer, declared once."""

from __future__ import annotations

OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

LAYER_COLORS = {
    "epci": "#555555",
    "pays": OKABE_ITO["bluish_green"],
    "ti": OKABE_ITO["blue"],
    "acv": OKABE_ITO["vermillion"],
    "pvd": OKABE_ITO["orange"],
    "tiers_lieux": OKABE_ITO["reddish_purple"],
    "clusters": OKABE_ITO["sky_blue"],
    "cases": OKABE_ITO["black"],
}
