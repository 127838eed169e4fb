"""The map layer registry: the map, the static export and the URL agree on every layer."""

from __future__ import annotations

from layers import site
from layers.compose import compose_map
from layers.geojson import InlineData
from layers.registry import LAYERS, REGISTRY, MapView, layer_frames
from pages.ui.viewstate import SELECTION_KINDS


def test_the_map_and_the_static_export_draw_the_same_frames_with_the_same_specs(embed_atlas):
    frames = layer_frames(embed_atlas)
    _, drawn, missing = compose_map(frames, MapView(layers=LAYERS), InlineData())
    assert [spec.name for spec in drawn] == ["epci", "tiers_lieux", "cases"]
    assert missing == ["communes", "pays", "ti", "acv", "pvd", "clusters"]  # no tiles built
    assert frames["epci"] is embed_atlas.epci  # the display-simplified EPCI
    for spec in drawn:
        assert site.layer_spec(spec.name, frames[spec.name])[0] == spec


def test_a_click_on_any_layer_selects_a_territory_the_url_can_hold():
    assert {layer.selects for layer in REGISTRY.values()} <= set(SELECTION_KINDS)
    kind_labels = [layer.kind_label for layer in REGISTRY.values()]
    assert len(set(kind_labels)) == len(kind_labels)  # a tooltip names a single layer
