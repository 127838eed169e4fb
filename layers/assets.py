"""Front-end assets served by the app itself: no third-party CDN, the map works offline.

Leaflet and Leaflet.markercluster come from the npm registry (exact versions in
``package-lock.json``); ``python -m layers.assets`` runs ``npm ci`` when needed and copies
the files the map uses into ``static/vendor/`` (git-ignored), which Streamlit serves at
``/app/static/vendor/`` (``server.enableStaticServing``). The static export of the map
uses the same files under a relative prefix.

folium's default templates load ten files from five CDNs (Leaflet, jQuery, Bootstrap,
Font Awesome, Awesome Markers). The atlas draws with plain Leaflet (circle markers, no
icon fonts), so the map needs only the Leaflet files vendored here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import branca.colormap
import folium
from folium.elements import JSCSSMixin

from layers.geojson import ASSET_PREFIX

ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = ROOT / "static" / "vendor"
# npm package -> files of its dist (relative to the package) the map needs.
VENDORED = {
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png",
                "dist/images/layers-2x.png", "dist/images/marker-icon.png",
                "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png"],
    "leaflet.markercluster": ["dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
                              "dist/MarkerCluster.Default.css"],
}


def vendor_url(prefix: str, package: str, file: str) -> str:
    """URL of a vendored file, e.g. ``/app/static/vendor/leaflet/leaflet.js``."""
    return f"{prefix}/vendor/{package}/{file.removeprefix('dist/')}"


def leaflet_assets(prefix: str = ASSET_PREFIX) -> tuple[list, list]:
    """``(default_js, default_css)`` for a map drawn with plain Leaflet."""
    return ([("leaflet", vendor_url(prefix, "leaflet", "dist/leaflet.js"))],
            [("leaflet_css", vendor_url(prefix, "leaflet", "dist/leaflet.css"))])


def markercluster_assets(prefix: str = ASSET_PREFIX) -> tuple[list, list]:
    """``(default_js, default_css)`` of Leaflet.markercluster."""
    pkg = "leaflet.markercluster"
    return ([("markercluster", vendor_url(prefix, pkg, "dist/leaflet.markercluster.js"))],
            [("markercluster_css", vendor_url(prefix, pkg, "dist/MarkerCluster.css")),
             ("markercluster_default_css", vendor_url(prefix, pkg, "dist/MarkerCluster.Default.css"))])


def offline_map(prefix: str = ASSET_PREFIX, **map_kwargs) -> folium.Map:
    """A folium Map that loads only vendored assets, with no basemap (add one separately)."""
    map_kwargs.setdefault("tiles", None)
    m = folium.Map(**map_kwargs)
    m.default_js, m.default_css = leaflet_assets(prefix)
    return m


def asset_urls(m: folium.Map) -> list[str]:
    """Every JS and CSS URL the map's elements ask for (as st_folium collects them)."""
    urls: list[str] = []

    def walk(element) -> None:
        if isinstance(element, branca.colormap.ColorMap):
            raise ValueError("branca colormaps load d3 from a CDN; use the atlas legend")
        if isinstance(element, JSCSSMixin) or hasattr(element, "default_js"):
            urls.extend(u for _, u in getattr(element, "default_js", []))
            urls.extend(u for _, u in getattr(element, "default_css", []))
        for child in element._children.values():
            walk(child)

    walk(m)
    return list(dict.fromkeys(urls))


def check_offline(m: folium.Map, prefix: str = ASSET_PREFIX) -> None:
    """Raise ValueError naming any element asset not served by the app (a CDN URL)."""
    foreign = [u for u in asset_urls(m) if not u.startswith(prefix + "/")]
    if foreign:
        raise ValueError(f"map assets not vendored (would load from a CDN): {foreign}; "
                         "vendor them in layers/assets.py or use plain Leaflet elements")


def install(node_modules: Path = ROOT / "node_modules", dest: Path = VENDOR_DIR) -> list[Path]:
    """Run ``npm ci`` if needed, then copy the vendored files into ``dest``; return them."""
    if not _installed(node_modules):
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to fetch Leaflet from the npm registry: "
                               "apt-get install -y nodejs npm")
        subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                       cwd=ROOT, check=True)
    copied = []
    for package, files in VENDORED.items():
        for file in files:
            target = dest / package / file.removeprefix("dist/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(node_modules / package / file, target)
            copied.append(target)
    return copied


def _installed(node_modules: Path) -> bool:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for package in VENDORED:
        meta = node_modules / package / "package.json"
        wanted = lock["packages"][f"node_modules/{package}"]["version"]
        if not meta.exists() or json.loads(meta.read_text())["version"] != wanted:
            return False
    return True


if __name__ == "__main__":
    files = install()
    print(f"vendored {len(files)} files into {VENDOR_DIR.relative_to(ROOT)}", file=sys.stderr)
