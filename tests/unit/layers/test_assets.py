"""Vendored front-end assets: the map asks only for files the app serves itself."""

from __future__ import annotations

import re
from pathlib import Path

import folium
import geopandas as gpd
import pytest
import shapely
from folium import plugins
from folium.elements import JSCSSMixin

from layers import assets, basemap
from layers.assets import VENDOR_URL_PREFIX, asset_urls, localise, offline_map

STATIC_VENDOR = assets.ROOT / "static" / "vendor"
URL_RE = re.compile(r"https?://[^\s\"'<>`)\\]+")


@pytest.fixture(scope="module")
def static_vendor() -> Path:
    """static/vendor, copied from node_modules if needed (npm itself is not run here)."""
    if not all(p.is_file() for p in assets.vendored_targets(STATIC_VENDOR)):
        if not assets.node_modules_current():
            pytest.skip(
                "static/vendor is not installed and node_modules is missing or "
                "stale: run `python -m layers.assets` (make assets)"
            )
        assets.install_vendor_assets(assets.ROOT / "node_modules", STATIC_VENDOR)
    return STATIC_VENDOR


@pytest.fixture
def square() -> gpd.GeoDataFrame:
    """One 0.1° square near Bourg-en-Bresse, in EPSG:4326, with an EPCI SIREN."""
    return gpd.GeoDataFrame(
        {"siren_epci": ["200071751"], "nom": ["CA du Bassin de Bourg-en-Bresse"]},
        geometry=[shapely.box(5.2, 46.2, 5.3, 46.3)],
        crs="EPSG:4326",
    )


@pytest.fixture
def atlas_like_map(square) -> folium.Map:
    """Build an offline map: GeoJson, MarkerCluster of two CircleMarkers, LayerControl."""
    m = offline_map(location=[46.25, 5.25], zoom_start=9)
    folium.GeoJson(
        square,
        name="EPCI",
        tooltip=folium.GeoJsonTooltip(["nom"]),
        popup=folium.GeoJsonPopup(["siren_epci"]),
    ).add_to(m)
    group = folium.FeatureGroup(name="Points").add_to(m)
    cluster = plugins.MarkerCluster().add_to(group)
    for lat, lon in [(46.21, 5.22), (46.28, 5.27)]:
        folium.CircleMarker([lat, lon], radius=6).add_to(cluster)
    folium.LayerControl().add_to(m)
    return m


def vendored_file(url: str, static_vendor: Path, prefix: str = VENDOR_URL_PREFIX) -> Path:
    """Return the file under static/vendor that ``url`` names."""
    return static_vendor / url.removeprefix(prefix + "/")


def test_every_asset_is_vendored_and_installed(atlas_like_map, static_vendor):
    urls = asset_urls(atlas_like_map)
    assert urls == [
        f"{VENDOR_URL_PREFIX}/leaflet/leaflet.js",
        f"{VENDOR_URL_PREFIX}/leaflet.markercluster/leaflet.markercluster.js",
        f"{VENDOR_URL_PREFIX}/leaflet/leaflet.css",
        f"{VENDOR_URL_PREFIX}/leaflet.markercluster/MarkerCluster.css",
        f"{VENDOR_URL_PREFIX}/leaflet.markercluster/MarkerCluster.Default.css",
    ]
    assert [u for u in urls if not vendored_file(u, static_vendor).is_file()] == []


def test_a_map_without_tiles_still_has_a_max_zoom_for_markercluster(atlas_like_map):
    assert '"maxZoom": 18' in atlas_like_map.get_root().render()


def test_rendered_html_names_no_other_host(atlas_like_map):
    html = atlas_like_map.get_root().render()
    assert URL_RE.findall(html) == []
    assert f'src="{VENDOR_URL_PREFIX}/leaflet/leaflet.js"' in html
    # Set before any marker is made: st_folium adds leaflet.css after the scripts ran.
    assert f'L.Icon.Default.imagePath = "{VENDOR_URL_PREFIX}/leaflet/images/"' in html


def test_a_basemap_brings_only_its_tile_template_and_attribution_links(atlas_like_map):
    tiles = basemap.basemap_layer("osm").add_to(atlas_like_map)
    html = atlas_like_map.get_root().render()
    allowed = {tiles.tiles, *URL_RE.findall(tiles.options["attribution"])}
    assert set(URL_RE.findall(html)) == allowed
    assert all(u.startswith(VENDOR_URL_PREFIX + "/") for u in asset_urls(atlas_like_map))


def test_folium_class_defaults_are_left_alone(atlas_like_map):
    asset_urls(atlas_like_map)
    assert folium.Map.default_js[0][1].startswith("https://")
    assert plugins.MarkerCluster.default_js[0][1].startswith("https://")
    assert any(u.startswith("https://") for u in asset_urls(folium.Map(tiles=None)))


def test_jquery_is_loaded_only_for_a_popup(static_vendor):
    m = offline_map()
    folium.CircleMarker([46.2, 5.2], tooltip="sans popup").add_to(m)
    assert not any("jquery" in u for u in asset_urls(m))
    folium.CircleMarker([46.3, 5.3], popup="Bourg-en-Bresse").add_to(m)
    urls = asset_urls(m)
    assert urls[:2] == [
        f"{VENDOR_URL_PREFIX}/leaflet/leaflet.js",
        f"{VENDOR_URL_PREFIX}/jquery/jquery.min.js",
    ]
    assert vendored_file(urls[1], static_vendor).is_file()


def test_fullscreen_is_vendored(static_vendor):
    m = offline_map()
    plugins.Fullscreen().add_to(m)
    urls = asset_urls(m)
    assert f"{VENDOR_URL_PREFIX}/leaflet.fullscreen/Control.FullScreen.js" in urls
    assert [u for u in urls if not vendored_file(u, static_vendor).is_file()] == []


def test_relative_prefix_for_the_static_export(atlas_like_map):
    m = offline_map(prefix="vendor")
    plugins.MarkerCluster().add_to(m)
    assert all(u.startswith("vendor/") for u in asset_urls(m))


def test_a_plain_folium_map_can_be_localised():
    m = folium.Map(tiles=None)
    plugins.MarkerCluster().add_to(m)
    localise(m)
    assert all(u.startswith(VENDOR_URL_PREFIX + "/") for u in asset_urls(m))


def test_the_apps_own_files_are_kept():
    class Local(JSCSSMixin, folium.map.Layer):
        default_js = [("atlas_layers", "/app/static/atlas/atlas-layers.js")]

    m = offline_map()
    Local().add_to(m)
    assert "/app/static/atlas/atlas-layers.js" in asset_urls(m)


def test_an_unvendored_plugin_is_refused_naming_it_and_its_url():
    with pytest.raises(ValueError, match=r"MiniMap needs https://\S+leaflet-minimap"):
        localise(plugins.MiniMap())
    m = offline_map()
    plugins.MiniMap().add_to(m)
    with pytest.raises(ValueError, match="MiniMap"):
        m.get_root().render()


def test_an_awesome_markers_icon_is_refused(square):
    m = offline_map()
    folium.Marker([46.2, 5.2], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(ValueError, match="folium.Icon"):
        asset_urls(m)
    m = offline_map()
    points = square.set_geometry([shapely.Point(5.25, 46.25)], crs="EPSG:4326")
    folium.GeoJson(points, marker=folium.Marker(icon=folium.Icon())).add_to(m)
    with pytest.raises(ValueError, match="GeoJson: folium.Icon"):
        asset_urls(m)


def test_install_copies_exactly_the_listed_files(tmp_path):
    node_modules, dest = tmp_path / "node_modules", tmp_path / "static" / "vendor"
    for package, files in assets.VENDORED_FILES.items():
        for file in files:
            (node_modules / package / file).parent.mkdir(parents=True, exist_ok=True)
            (node_modules / package / file).write_text(f"{package}/{file}")
    (dest / "leaflet" / "old").mkdir(parents=True)
    (dest / "leaflet" / "old" / "leaflet-1.7.js").write_text("stale")
    written = assets.install_vendor_assets(node_modules, dest)
    assert sorted(written) == sorted(p for p in dest.rglob("*") if p.is_file())
    layers_png = dest / "leaflet" / "images" / "layers.png"
    assert layers_png.read_text() == "leaflet/dist/images/layers.png"
    assert not (dest / "leaflet" / "old").exists()


def test_install_names_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="leaflet/dist/leaflet.js"):
        assets.install_vendor_assets(tmp_path / "node_modules", tmp_path / "vendor")


def test_node_modules_is_stale_without_the_locked_versions(tmp_path):
    (tmp_path / "package-lock.json").write_text((assets.ROOT / "package-lock.json").read_text())
    assert not assets.node_modules_current(tmp_path)
