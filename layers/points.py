"""Shared spec for point layers placed on communes (ACV, PVD, tiers-lieux…)."""

from __future__ import annotations

from layers.geojson import LayerSpec


def commune_point_spec(
    name: str,
    kind_label: str,
    color: str,
    *,
    label_field: str,
    departements: list[str] | None,
    cluster: bool = False,
    color_by: str | None = None,
    colors: dict[str, str] | None = None,
) -> LayerSpec:
    """Return a circle-marker layer identified by ``insee_com`` (clicking selects the commune)."""
    return LayerSpec(
        name=name,
        kind_label=kind_label,
        geometry="point",
        id_field="insee_com",
        label_field=label_field,
        style={
            "radius": 6,
            "color": "#ffffff",
            "weight": 1,
            "fillColor": color,
            "fillOpacity": 0.9,
        },
        filters={"insee_dep": departements} if departements else None,
        cluster=cluster,
        color_by=color_by,
        colors=colors,
    )
