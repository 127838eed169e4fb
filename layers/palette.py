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

# The light Okabe & Ito colours, darkened in the same hue to at least 3:1 against white
# (the legend's background and the points' white ring): graphical objects, RGAA 3.3 /
# WCAG 1.4.11. Contrast on white: orange 2.3 -> 4.6, sky blue 2.3 -> 4.3, reddish
# purple 3.1 -> 4.6; bluish green (3.4), blue (5.2) and vermillion (3.9) already pass.
ON_WHITE = {
    "orange": "#9E6B00",
    "sky_blue": "#2C7FB8",
    "reddish_purple": "#A65D8A",
}

LAYER_COLORS = {
    "epci": "#555555",
    "pays": OKABE_ITO["bluish_green"],
    "ti": OKABE_ITO["blue"],
    "acv": OKABE_ITO["vermillion"],
    "pvd": ON_WHITE["orange"],
    "tiers_lieux": ON_WHITE["reddish_purple"],
    "clusters": ON_WHITE["sky_blue"],
    "cases": OKABE_ITO["black"],
}
