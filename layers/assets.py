"""Front-end assets served by the app itself: no third-party CDN, the map works offline.

folium's Map template loads ten files from four CDN hosts (Leaflet, jQuery, Bootstrap,
Font Awesome, Awesome Markers) and each plugin adds its own (``default_js``/``default_css``).
The atlas draws with plain Leaflet — vector layers and circle markers, no icon fonts —
so it needs Leaflet, Leaflet.markercluster and Leaflet.fullscreen, plus jQuery only when
a :class:`folium.Popup` is on the map (its template parses the popup HTML with ``$()``).

Maps holding a vector tile layer (:mod:`layers.tiles`) also load Pbf (the protobuf reader
under our tile renderer, ``static/atlas/atlas-tiles.js``; BSD, its ``dist`` build bundles
ieee754, BSD too).

axe-core (the accessibility audit of the browser tests) is vendored the same way, to
``static/vendor/axe-core/``, but no page loads it.

Those packages come from the npm registry, pinned in ``package.json`` and
``package-lock.json``; ``python -m layers.assets`` runs ``npm ci`` when ``node_modules``
is missing or stale and copies the files listed in :data:`VENDORED_FILES` to
``static/vendor/<package>/`` (git-ignored). Streamlit serves ``static/`` at
``/app/static/`` when ``server.enableStaticServing`` is on, hence
:data:`VENDOR_URL_PREFIX`; a static export passes a relative prefix such as ``"vendor"``.

:func:`offline_map` returns a map that rewrites, each time it is rendered, the assets of
every element on it to the vendored copies (:func:`localise`), and refuses with a
``ValueError`` any element that needs a file not vendored here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import branca.colormap
import folium
import folium.plugins
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from layers.accessibility import MapAccessibility, fix_viewport

ASSET_PREFIX = "/app/static"  # where Streamlit serves static/ (server.enableStaticServing)


def vendor_prefix(asset_prefix: str = ASSET_PREFIX) -> str:
    """URL of ``static/vendor/`` for a given URL of ``static/``."""
    return f"{asset_prefix}/vendor"


VENDOR_URL_PREFIX = vendor_prefix()
ROOT = Path(__file__).resolve().parent.parent

# npm package -> files copied from it (paths inside the package). A file lands in
# static/vendor/<package>/<path without "dist/">, so the relative URLs inside the CSS keep
# working (leaflet.css -> images/layers.png, Control.FullScreen.css -> icon-fullscreen.svg).
# Licence files go along: serving the code is distributing it.
VENDORED_FILES: dict[str, tuple[str, ...]] = {
    "leaflet": (
        "dist/leaflet.js",
        "dist/leaflet.css",
        "dist/images/layers.png",
        "dist/images/layers-2x.png",
        "dist/images/marker-icon.png",
        "dist/images/marker-icon-2x.png",
        "dist/images/marker-shadow.png",
        "LICENSE",
    ),
    "leaflet.markercluster": (
        "dist/leaflet.markercluster.js",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
        "MIT-LICENCE.txt",
    ),
    "leaflet.fullscreen": (
        "Control.FullScreen.js",
        "Control.FullScreen.css",
        "icon-fullscreen.svg",
        "LICENSE",
    ),
    "jquery": ("dist/jquery.min.js", "LICENSE.txt"),
    # Vector tiles (layers/tiles.py): the protobuf reader under atlas-tiles.js. Its dist
    # build bundles ieee754, whose licence goes along too.
    "pbf": ("dist/pbf.js", "LICENSE"),
    "ieee754": ("LICENSE",),
    # The accessibility audit of the browser tests (tests/e2e/test_accessibility.py) injects
    # it into each frame. No page of the app or of a static export loads it: served as a
    # plain file, it does nothing (harmless), and `atlas embed` does not copy it.
    "axe-core": ("axe.min.js", "LICENSE"),
}
AXE_CORE = "axe-core/axe.min.js"  # path under static/vendor of the audit script

# folium's link names -> the vendored file (under the prefix) that replaces the CDN URL.
# The names are those of folium.Map, plugins.MarkerCluster and plugins.Fullscreen, so a
# page holding two of them loads each file once.
VENDORED_LINKS: dict[str, str] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "jquery": "jquery/jquery.min.js",
    "markerclusterjs": "leaflet.markercluster/leaflet.markercluster.js",
    "markerclustercss": "leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "leaflet.markercluster/MarkerCluster.Default.css",
    "Control.Fullscreen.js": "leaflet.fullscreen/Control.FullScreen.js",
    "Control.FullScreen.css": "leaflet.fullscreen/Control.FullScreen.css",
    "pbf": "pbf/pbf.js",
}

# What folium.Map loads besides Leaflet: Bootstrap, glyphicons, Font Awesome and Awesome
# Markers serve only folium.Icon (refused below); jQuery serves folium.Popup and
# Map.keep_in_front, and is put back when the map has one of them.
_MAP_EXTRAS = frozenset(name for name, _ in [*folium.Map.default_js, *folium.Map.default_css]) - {
    "leaflet",
    "leaflet_css",
}


def vendor_url(path: str, prefix: str = VENDOR_URL_PREFIX) -> str:
    """Return the URL of a vendored file, e.g. ``/app/static/vendor/leaflet/leaflet.js``.

    Parameters
    ----------
    path : str
        Path under ``static/vendor/``, such as ``"leaflet/leaflet.js"``.
    prefix : str
        URL of ``static/vendor/``: absolute (``/app/static/vendor``) or relative
        (``vendor`` for a static export).

    """
    return f"{prefix.rstrip('/')}/{path}"


def vendored_links(names: list[str], prefix: str = VENDOR_URL_PREFIX) -> list[tuple[str, str]]:
    """Return ``[(name, url), ...]`` for folium link names, e.g. ``["markerclusterjs"]``.

    Raises
    ------
    ValueError
        If a name is not vendored, listing those that are.

    """
    unknown = [n for n in names if n not in VENDORED_LINKS]
    if unknown:
        raise ValueError(f"not vendored: {unknown}; vendored links: {sorted(VENDORED_LINKS)}")
    return [(n, vendor_url(VENDORED_LINKS[n], prefix)) for n in names]


def markercluster_assets(prefix: str = VENDOR_URL_PREFIX) -> tuple[list, list]:
    """Return ``(default_js, default_css)`` of Leaflet.markercluster, vendored."""
    return (
        vendored_links(["markerclusterjs"], prefix),
        vendored_links(["markerclustercss", "markerclusterdefaultcss"], prefix),
    )


def is_app_url(url: str) -> bool:
    """Tell whether ``url`` is served by the app (a path, no scheme and no host)."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def localise(element: Element, prefix: str = VENDOR_URL_PREFIX) -> Element:
    """Point the assets of ``element`` and everything on it at the vendored copies.

    Links folium knows by name (:data:`VENDORED_LINKS`) are rewritten to ``prefix``; links
    to the app's own files (paths such as ``/app/static/atlas/atlas-layers.js``) are kept.
    A :class:`folium.Map` keeps Leaflet only, plus jQuery when it holds a
    :class:`folium.Popup`. Lists are replaced on the instances, never changed in place
    (folium's class-level lists are shared by every map of the process).

    Parameters
    ----------
    element : branca.element.Element
        A map, a layer or a plugin; its children are localised too.
    prefix : str
        URL of ``static/vendor/`` (see :func:`vendor_url`).

    Returns
    -------
    branca.element.Element
        ``element`` itself, for chaining.

    Raises
    ------
    ValueError
        If an element needs a file that is not vendored (a CDN URL), naming the element
        class and the URL, or is drawn with assets the atlas does not ship
        (``folium.Icon``, branca colormaps).

    """
    for el in _walk(element):
        _refuse_unvendorable(el)
        if isinstance(el, folium.Map):
            _localise_map(el, prefix)
        elif isinstance(el, JSCSSMixin):
            el.default_js = _localised(el, el.default_js, prefix)
            el.default_css = _localised(el, el.default_css, prefix)
    return element


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that localises its assets whenever it is rendered.

    st_folium, ``save()`` and ``_repr_html_()`` all render the map before reading its
    assets, so elements added after creation are checked and rewritten too.

    It also carries :class:`layers.accessibility.MapAccessibility` (keyboard, focus,
    language), and its rendered head lets the user zoom (:func:`~layers.accessibility.fix_viewport`:
    folium's viewport forbids it).

    ``max_zoom`` is set on the Leaflet map itself, not only on a tile layer: a map
    without tiles has no maximum zoom otherwise, and Leaflet.markercluster then throws
    "Map has no maxZoom specified".
    """

    def __init__(
        self, vendor_prefix: str = VENDOR_URL_PREFIX, max_zoom: int = 18, **map_kwargs
    ) -> None:
        super().__init__(max_zoom=max_zoom, **map_kwargs)
        self.options["max_zoom"] = max_zoom
        self.vendor_prefix = vendor_prefix
        _localise_map(self, vendor_prefix)
        self.add_child(MapAccessibility(), name="accessibility", index=1)

    def render(self, **kwargs) -> None:
        """Localise the assets of the map and its elements, render as folium does, fix zoom."""
        localise(self, self.vendor_prefix)
        super().render(**kwargs)
        fix_viewport(self)


def offline_map(
    prefix: str = VENDOR_URL_PREFIX,
    *,
    prefer_canvas: bool = False,
    max_zoom: int = 18,
    **map_kwargs,
) -> folium.Map:
    """Return a folium Map that loads only vendored files, without a basemap.

    Parameters
    ----------
    prefix : str
        URL of ``static/vendor/``: :data:`VENDOR_URL_PREFIX` in the Streamlit app,
        ``"vendor"`` (relative) in a static export.
    prefer_canvas : bool
        Draw vector layers on a canvas rather than as SVG (faster for many features).
    max_zoom : int
        Maximum zoom of the map (and of the tile layer made from ``tiles``, if any);
        the map needs one when it has no tiles, for Leaflet.markercluster.
    **map_kwargs
        Passed to :class:`folium.Map`; ``tiles`` defaults to None (the caller adds a
        basemap, which is the only thing allowed to come from another host).

    Returns
    -------
    folium.Map
        An :class:`OfflineMap`: its ``default_js``/``default_css`` name vendored files
        only, and every element added to it is localised when it is rendered.

    """
    map_kwargs.setdefault("tiles", None)
    return OfflineMap(
        vendor_prefix=prefix, prefer_canvas=prefer_canvas, max_zoom=max_zoom, **map_kwargs
    )


def asset_urls(m: folium.Map) -> list[str]:
    """Return every JS and CSS URL the map needs, in loading order, without duplicates.

    Renders the map first, then collects ``default_js`` and ``default_css`` of every
    element as ``streamlit_folium.st_folium`` does, so the list is what the component's
    iframe will load. (st_folium would also add d3 from a CDN for a branca colormap: an
    :class:`OfflineMap` refuses colormaps, see :func:`localise`.)

    Raises
    ------
    ValueError
        From :func:`localise`, if ``m`` is an :class:`OfflineMap` holding an element that
        needs a file not vendored.

    """
    m.get_root().render()
    js: list[str] = []
    css: list[str] = []
    for el in _walk(m):
        if isinstance(el, JSCSSMixin):
            js.extend(url for _, url in el.default_js)
            css.extend(url for _, url in el.default_css)
    return list(dict.fromkeys([*js, *css]))


def _walk(element: Element) -> Iterator[Element]:
    yield element
    if isinstance(element, folium.plugins.DualMap):
        yield from _walk(element.m1)
        yield from _walk(element.m2)
    for child in element._children.values():
        yield from _walk(child)


def _refuse_unvendorable(el: Element) -> None:
    if isinstance(el, branca.colormap.ColorMap):
        raise ValueError(
            f"{type(el).__name__}: st_folium loads d3 from d3js.org and cdnjs.cloudflare.com "
            "for branca colormaps; draw the legend with layers.legend instead"
        )
    # GeoJson(marker=Marker(icon=Icon(...))) holds its marker as an attribute, not a child.
    marker = getattr(el, "marker", None) if isinstance(el, folium.GeoJson) else None
    if isinstance(el, folium.Icon) or isinstance(getattr(marker, "icon", None), folium.Icon):
        raise ValueError(
            f"{type(el).__name__}: folium.Icon needs Leaflet.awesome-markers, Bootstrap and "
            "Font Awesome, which are not vendored; use folium.CircleMarker or folium.DivIcon"
        )


class _IconImagePath(MacroElement):
    """Tell Leaflet where its default marker images are, before any marker is made.

    Leaflet guesses the folder from leaflet.css, but st_folium adds the stylesheets
    after running the scripts, and Leaflet's fallback drops ``images/`` from the path.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "L.Icon.Default.imagePath = {{ this.path|tojson }};\n"
        "{% endmacro %}"
    )

    def __init__(self, path: str) -> None:
        super().__init__()
        self._name = "IconImagePath"
        self.path = path


def _localise_map(m: folium.Map, prefix: str) -> None:
    js = [(n, u) for n, u in m.default_js if n not in _MAP_EXTRAS and n != "leaflet"]
    css = [(n, u) for n, u in m.default_css if n not in _MAP_EXTRAS and n != "leaflet_css"]
    base = ["leaflet", "jquery"] if _needs_jquery(m) else ["leaflet"]
    m.default_js = vendored_links(base, prefix) + _localised(m, js, prefix)
    m.default_css = vendored_links(["leaflet_css"], prefix) + _localised(m, css, prefix)
    m.add_child(
        _IconImagePath(vendor_url("leaflet/images/", prefix)), name="icon_image_path", index=0
    )


def _needs_jquery(m: folium.Map) -> bool:
    return bool(m.objects_to_stay_in_front) or any(isinstance(el, folium.Popup) for el in _walk(m))


def _localised(el: Element, links: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        if name in VENDORED_LINKS:
            out.append((name, vendor_url(VENDORED_LINKS[name], prefix)))
        elif is_app_url(url):
            out.append((name, url))
        else:
            raise ValueError(
                f"{type(el).__name__} needs {url} ({name!r}), which is not vendored: add its "
                "npm package to package.json and its files to VENDORED_FILES and "
                "VENDORED_LINKS in layers/assets.py, or do without this element"
            )
    return out


def vendored_targets(static_vendor: Path) -> dict[Path, tuple[str, str]]:
    """Map each file of ``static/vendor`` to its ``(npm package, path in the package)``."""
    return {
        static_vendor / package / file.removeprefix("dist/"): (package, file)
        for package, files in VENDORED_FILES.items()
        for file in files
    }


def install_vendor_assets(node_modules: Path, static_vendor: Path) -> list[Path]:
    """Copy the files of :data:`VENDORED_FILES` from ``node_modules`` to ``static_vendor``.

    Files under ``static_vendor`` that are not listed (left by an older version) are
    removed, so what the app serves is exactly what is declared here.

    Parameters
    ----------
    node_modules : pathlib.Path
        Where ``npm ci`` installed the packages.
    static_vendor : pathlib.Path
        Destination, normally ``static/vendor`` (served at :data:`VENDOR_URL_PREFIX`).

    Returns
    -------
    list of pathlib.Path
        The files written, in :data:`VENDORED_FILES` order.

    Raises
    ------
    FileNotFoundError
        If a listed file is missing from ``node_modules``, naming it.

    """
    targets = vendored_targets(static_vendor)
    missing = [f"{p}/{f}" for p, f in targets.values() if not (node_modules / p / f).is_file()]
    if missing:
        raise FileNotFoundError(
            f"not in {node_modules}: {missing}; run `npm ci --ignore-scripts` in {ROOT} "
            "(or check VENDORED_FILES against the package versions in package-lock.json)"
        )
    for target, (package, file) in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / package / file, target)
    for stale in [p for p in static_vendor.rglob("*") if p.is_file() and p not in targets]:
        stale.unlink()
    for folder in sorted(static_vendor.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return list(targets)


def node_modules_current(root: Path = ROOT) -> bool:
    """Tell whether ``root/node_modules`` holds the versions pinned in package-lock.json.

    Raises
    ------
    ValueError
        If a package of :data:`VENDORED_FILES` is not in the lock file (add it to
        ``package.json`` and run ``npm install --package-lock-only``).

    """
    locked = json.loads((root / "package-lock.json").read_text())["packages"]
    for package in VENDORED_FILES:
        entry = locked.get(f"node_modules/{package}")
        if entry is None:
            raise ValueError(
                f"{package!r} is vendored but not in {root / 'package-lock.json'}; "
                "add it to package.json and run `npm install --package-lock-only`"
            )
        meta = root / "node_modules" / package / "package.json"
        if not meta.is_file() or json.loads(meta.read_text())["version"] != entry["version"]:
            return False
    return True


def npm_ci(root: Path = ROOT) -> None:
    """Install ``node_modules`` exactly as ``package-lock.json`` says (no install scripts).

    Raises
    ------
    RuntimeError
        If npm is not installed, with the command that installs it.
    subprocess.CalledProcessError
        If ``npm ci`` fails (registry unreachable, lock file out of date).

    """
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is needed to fetch Leaflet and its plugins from the npm "
            "registry (package-lock.json): apt-get install -y nodejs npm"
        )
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=root, check=True)


def main(root: Path = ROOT) -> list[Path]:
    """Run ``npm ci`` if needed, then vendor the files into ``root/static/vendor``."""
    if not node_modules_current(root):
        npm_ci(root)
    files = install_vendor_assets(root / "node_modules", root / "static" / "vendor")
    for path in files:
        print(f"{path.stat().st_size:>9,d}  {path.relative_to(root)}", file=sys.stderr)
    return files


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, ValueError, FileNotFoundError) as error:
        sys.exit(f"layers.assets: {error}")
    except subprocess.CalledProcessError as error:
        sys.exit(
            f"layers.assets: `{' '.join(error.cmd)}` failed with exit code "
            f"{error.returncode} (is the npm registry reachable?)"
        )
