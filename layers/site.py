"""Static export of the map: a standalone site any static web server or CDN can serve.

``atlas embed --out DIR [--territory ID] [--layers epci,ti,...] [--communes MODE]`` writes::

    DIR/index.html            lang="fr", a strict Content-Security-Policy, no inline script
    DIR/vendor/...            Leaflet (and Leaflet.markercluster when a layer clusters),
                              copied from static/vendor (``make assets``, from npm)
    DIR/atlas/atlas-layers.js the app's own layer script (``atlas.geojsonLayer(spec)``)
    DIR/embed/embed.js, .css  the page script: reads data/config.json, draws the map, the
                              legend and the table twin, filters both from one text input
    DIR/data/config.json      layer specs, legend, attribution, bounds
    DIR/data/<layer>-<hash>.geojson.gz
                              each GeoJSON layer's features, gzip-compressed (decompressed
                              by the page: any static server sends them as they are; one
                              that labels .gz files Content-Encoding: gzip works too)
    DIR/tiles/communes/<z>/<x>/<y>.pbf.gz
                              the build's vector tiles of the commune layer (copied as they
                              are, gzip files: any static server sends them, no range
                              request); with --territory, only the tiles over its outline
                              from the finest zoom holding it in 2 × 2 tiles, and the
                              layer's spec lists only those (no request for a tile that is
                              not there); the page then also loads Pbf and
                              atlas/atlas-tiles.js
    DIR/.atlas-embed          the list of the files above (see below)

``DIR`` must be new, empty, or a previous export: the marker ``.atlas-embed`` lists the
files of an export, and the next export into ``DIR`` replaces or removes those files only.
A non-empty folder without the marker is refused, untouched, as is a file of the new
export that would overwrite a file the previous export did not write.

The page loads nothing from another origin (no basemap: its raster tiles would be third-party
requests) and no script is built from data: every text reaches the DOM through
``textContent`` or Leaflet tooltips escaped by ``atlas-layers.js``. Only the columns each
layer draws are exported (never the tiers-lieux ``web`` column); any e-mail address or
phone number left in a text field is masked, and coordinates are rounded to 1e-6°.

Data: the atlas build (IGN ADMIN EXPRESS / INSEE COG 2025, ANCT lists, curated cases),
EPSG:4326 as stored. Pure Python: no Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geodata import config, territory
from geodata.atlas import Atlas
from geodata.output import OutputError, inside, prepare_dir
from geodata.report import BuildReport
from geodata.sources import anct
from geodata.territory import commune_codes, parse_territory_id
from geodata.text import fold, mask_contacts
from geodata.tiles import mercator
from geodata.vocab import FRANCE_VIEW, LIST_SEP, PROGRAMMES, TIERS_LIEUX, leaflet_bounds
from layers import communes as communes_mod
from layers import overseas
from layers.assets import vendored_links, vendored_targets
from layers.geojson import (
    MAX_FEATURES,
    CapturingStore,
    LayerSpec,
    apply_filters,
    apply_text,
    capped_rows,
    gzipped,
    to_feature_collection,
)
from layers.legend import swatch_color
from layers.registry import (
    DEFAULT_LAYERS,
    LAYERS,
    REGISTRY,
    TILE_LAYERS,
    MapView,
    draw_layer,
    layer_frames,
)
from layers.selection import selection_layer
from layers.tiles import TILE_SUFFIX, TILES_JS, TileSource, TileSpec

ATTRIBUTION = "Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0"
# No 'unsafe-inline' nor 'unsafe-eval' for scripts, no remote origin anywhere. The one
# inline-style allowance is for style *attributes* (Leaflet.markercluster's cluster icons
# are HTML with a style attribute); <style> elements stay forbidden.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'"
)
STATIC = config.PROJECT_ROOT / "static"
MARKER = ".atlas-embed"  # lists the files of an export, one relative path a line
MARKER_HEADER = (
    "# atlas embed : fichiers de cet export ; le prochain `atlas embed --out` dans ce dossier\n"
    "# remplace ou supprime ces fichiers-là, et aucun autre.\n"
)


@dataclass
class ExportResult:
    """What :func:`export_site` wrote."""

    out_dir: Path
    files: list[Path]
    features: dict[str, int]  # layer key -> features exported
    missing: list[str]  # layers asked for but not in the build
    masked: int = 0  # text fields in which contact details were masked
    tiles: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (files, bytes)
    replaced: bool = False  # out_dir held a previous export (its marker)
    capped: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> (written, matching)
    removed: list[Path] = field(default_factory=list)  # files of it not in this one

    @property
    def size_bytes(self) -> int:
        """Total size of the site on disk."""
        return sum(p.stat().st_size for p in self.files)


def territory_outline(atlas: Atlas, ident: str) -> gpd.GeoDataFrame:
    """Outline of territory ``ident`` (:func:`geodata.territory.parse_territory_id`).

    Returns ``id, name, geometry``, EPSG:4326 (:func:`geodata.territory.outline`).

    Raises
    ------
    ValueError
        When the id is malformed, or the territory unknown or without a commune geometry.

    """
    ref = territory.parse_territory_id(ident)
    outline = territory.outline(atlas, ref.kind, ref.code)
    if outline is None:
        raise ValueError(
            f"territory {ref.id} is unknown in this build (atlas info lists what is loaded)"
        )
    return outline


def clip(gdf: gpd.GeoDataFrame, outline: shapely.Geometry) -> gpd.GeoDataFrame:
    """Keep the points inside ``outline`` and the areas sharing a fifth of it with it.

    A fifth of their own area or of the outline's: a territory's EPCI, the TI or Pays that
    contain it, not the neighbours that only touch it (display geometry is simplified, so
    borders overlap a little). Degrees are fine for these ratios.
    """
    hits = gdf.iloc[gdf.sindex.query(outline, predicate="intersects")]
    geoms = hits.geometry.values
    points = shapely.get_type_id(geoms) == 0
    shared = shapely.area(shapely.intersection(geoms, outline))
    big = (shared > 0.2 * shapely.area(geoms)) | (shared > 0.2 * outline.area)
    return hits[points | big].sort_index()


def features_table(
    frames: dict[str, gpd.GeoDataFrame | None],
    specs: Sequence[LayerSpec],
    communes: pd.DataFrame,
    outline: shapely.Geometry | None = None,
) -> pd.DataFrame:
    """Return the table twin of a map: one row per feature the specs draw (French headers).

    Parameters
    ----------
    frames : dict
        Layer key -> the frame drawn (:func:`layers.registry.layer_frames`); a spec's
        name is its key.
    specs : sequence of LayerSpec
        The layers drawn (``compose_map`` returns them), with their filters and text.
    communes : DataFrame
        ``insee_com, nom``, to name the commune of features that only carry its code.
    outline : shapely geometry, optional
        Keep only the features of this territory (see :func:`clip`).

    Returns
    -------
    DataFrame
        ``Nom, Type, Commune, Programme``, in drawing order, then by name.
    """
    parts = []
    for spec in specs:
        gdf = frames.get(spec.name)
        if gdf is None or spec.name in TILE_LAYERS:  # tiles: not listed (see not_listed)
            continue
        gdf = apply_text(apply_filters(gdf, spec.filters), spec)
        if spec.capped:  # the map sent only the first features: list those, not all
            gdf = capped_rows(gdf, spec, spec.capped[0])
        if outline is not None:
            gdf = clip(gdf, outline)
        cells = table_columns(spec.name, gdf, communes)
        part = pd.DataFrame(
            {
                "Nom": gdf[spec.label_field].fillna("").astype(str),
                "Type": spec.kind_label,
                "Commune": cells["commune"],
                "Programme": cells["programme"],
            }
        )
        parts.append(part.sort_values("Nom", key=lambda s: s.map(fold)))
    columns = ["Nom", "Type", "Commune", "Programme"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def fiche_links(atlas_url: str) -> dict[str, str]:
    """Return, per tooltip kind label (``"EPCI"``…), the start of its features' fiche address.

    ``atlas_url`` is the atlas's address (``https://atlas.example.fr/``): a case study's
    fiche is ``…/cas?cas=<id>``, any other feature's ``…/territoire?t=<territory id>``
    (a point of a programme names its commune).
    """
    base = atlas_url.split("?")[0].rstrip("/") + "/"
    return {
        layer.kind_label: base + ("cas?cas=" if layer.selects == "case" else "territoire?t=")
        for layer in REGISTRY.values()
    }


class FichePopups(MacroElement):
    """A click on a feature opens a popup: its name and a link to its fiche (new tab).

    The name and id are read back from the feature's tooltip (``"<name> — <kind> <id>"``,
    see :mod:`layers.geojson`) and reach the DOM as text (``textContent``), never as HTML.
    A tile layer (``static/atlas/atlas-tiles.js``, marked ``_atlasTiles``) is hooked as a
    whole: it fires "click" with the feature under the mouse as ``e.sourceTarget``, which
    carries that tooltip.
    """

    _template = Template(
        "{% macro script(this, kwargs) %}\n"
        "(function (map, links) {\n"
        "  var pattern = / — ([^—]+?) (\\S+)$/;\n"
        "  function open(e) {\n"
        "    var source = e.target.feature ? e.target : (e.sourceTarget || e.layer);\n"
        "    var tip = source && source.getTooltip ? source.getTooltip() : null;\n"
        "    if (!tip) { return; }\n"
        "    var text = new DOMParser().parseFromString(String(tip.getContent()), 'text/html')"
        ".body.textContent;\n"
        "    var found = pattern.exec(text);\n"
        "    var prefix = found ? links[found[1]] : null;\n"
        "    if (!prefix) { return; }\n"
        "    var box = document.createElement('div');\n"
        "    var name = document.createElement('strong');\n"
        "    name.textContent = text.slice(0, found.index);\n"
        "    var kind = document.createElement('div');\n"
        "    kind.textContent = found[1];\n"
        "    var link = document.createElement('a');\n"
        "    link.href = prefix + encodeURIComponent(found[2]);\n"
        "    link.target = '_blank';\n"
        "    link.rel = 'noopener';\n"
        "    link.textContent = 'Ouvrir la fiche (nouvel onglet)';\n"
        "    box.append(name, kind, link);\n"
        "    L.popup().setLatLng(e.latlng).setContent(box).openOn(map);\n"
        "  }\n"
        "  function hook(layer) {\n"
        "    var tiles = layer._atlasTiles === true;\n"
        "    if (tiles || (layer.feature && layer.getTooltip)) { layer.on('click', open); }\n"
        "  }\n"
        "  map.on('layeradd', function (e) { hook(e.layer); });\n"
        "  map.eachLayer(hook);\n"
        "})({{ this._parent.get_name() }}, {{ this.links|tojson }});\n"
        "{% endmacro %}"
    )

    def __init__(self, atlas_url: str) -> None:
        super().__init__()
        self._name = "FichePopups"
        self.links = fiche_links(atlas_url)


def vintages(report: BuildReport, layers: Sequence[str]) -> list[str]:
    """Vintages of the sources behind ``layers``, from the build report (French)."""
    out = [src.vintage for src in report.stage("base").sources]
    if {"cases", "clusters"} & set(layers):
        out += [
            f"études de cas : {s.vintage.split(' (')[0]}" for s in report.stage("cases").sources
        ]
    for key in layers:
        for src in report.stage("programmes").sources:
            if any(f"({f})" in src.name for f in _vintage_files(key)):
                out.append(f"{src.name.split(' (')[0]} : {src.vintage}")
    return list(dict.fromkeys(out))


def _vintage_files(key: str) -> tuple[str, ...]:
    """Files of the ANCT lists behind map layer ``key`` (as the report names its sources)."""
    layer = REGISTRY.get(key)
    return tuple(anct.CATALOGUE[name].file for name in layer.lists) if layer else ()


def attribution(report: BuildReport, layers: Sequence[str]) -> str:
    """Return ``Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0. Millésimes : …`` (French)."""
    found = vintages(report, layers)
    return f"{ATTRIBUTION}. Millésimes : {' ; '.join(found)}" if found else ATTRIBUTION


def table_columns(key: str, src: gpd.GeoDataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Return the table twin's ``commune`` and ``programme`` cells of a layer's rows (French)."""
    out = pd.DataFrame(index=src.index, data={"commune": "", "programme": ""})
    if "nom_commune" in src:
        out["commune"] = src["nom_commune"].fillna("")
    elif "insee_com" in src:
        names = dict(zip(communes["insee_com"], communes["nom"], strict=False))
        out["commune"] = src["insee_com"].map(names).fillna("")
    if key in ("cases", "clusters"):
        out["programme"] = src["programmes"].fillna("").str.replace(LIST_SEP, ", ")
    elif "programme" in src:  # the points of one programme's lists (ACV, PVD)
        out["programme"] = src["programme"].fillna("")
    elif key == "ti":
        out["programme"] = f"{PROGRAMMES['ti'].label} " + src["phase"].astype(str)
    elif key == TIERS_LIEUX:
        out["programme"] = src["source"].fillna("")
    return out


def export_site(
    out_dir: Path,
    atlas: Atlas,
    layers: Sequence[str] = DEFAULT_LAYERS,
    territory: str | None = None,
    *,
    title: str | None = None,
    atlas_url: str = "",
    communes_mode: str = communes_mod.DEFAULT_MODE,
) -> ExportResult:
    """Write the standalone site of ``layers`` (optionally one territory) to ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Destination: new, empty, or a previous export (its ``.atlas-embed`` marker),
        whose listed files are replaced or removed; created if needed.
    atlas : Atlas
        The loaded build (``geodata.atlas.load``).
    layers : sequence of str
        Layer keys in drawing order, among :data:`LAYERS`.
    territory : str, optional
        A territory id (``200035731``, ``ti-8408``, ``dep-42``; see
        :mod:`geodata.territory`): only the features of that territory are exported, and
        the map opens on it.
    title : str, optional
        Page title (default: the atlas's name, and the territory's).
    atlas_url : str
        Link "Ouvrir l'atlas complet" in the footer (none when empty).
    communes_mode : str
        Colouring of the commune layer, a key of :data:`layers.communes.MODES`.

    Returns
    -------
    ExportResult
        Files written, features per layer, layers not in the build.

    Raises
    ------
    ValueError
        For an unknown layer key, territory or commune colouring (French for the latter).
    OutputError
        (a ValueError) When ``out_dir`` cannot be written into, is a non-empty folder
        without the marker, or a file would leave it or overwrite a file not listed.
    FileNotFoundError
        When static/vendor is missing (run ``make assets``), or a tile the tile set lists.
    """
    unknown = [k for k in layers if k not in LAYERS]
    if unknown:
        raise ValueError(f"unknown layer(s) {unknown}; expected some of {list(LAYERS)}")
    if communes_mode not in communes_mod.MODES:
        raise ValueError(unknown_mode(communes_mode))
    outline = territory_outline(atlas, territory) if territory else None
    ref = parse_territory_id(territory) if territory else None
    out_dir = Path(out_dir)
    previous = previous_export(out_dir)
    result = ExportResult(out_dir, [], {}, [])
    staged: dict[str, bytes | Path] = {}  # relative path -> content, or the file to copy
    specs, legend = [], []
    frames = layer_frames(atlas)
    for key in layers:
        if frames.get(key) is None:
            result.missing.append(key)
            continue
        if isinstance(frames[key], TileSource):
            where = (ref.kind, ref.code) if ref is not None else None
            view = MapView(layers=(key,), communes_mode=communes_mode, territory=where)
            tile_spec = draw_layer(key, frames[key], CapturingStore(), view).spec
            specs.append(_stage_tiles(staged, key, frames[key], tile_spec, outline, result))
            legend += _legend(tile_spec)
            result.features[key] = (
                len(commune_codes(atlas, ref.kind, ref.code))
                if ref is not None
                else frames[key].tileset.layers[tile_spec.name].count
            )
            continue
        spec, frame = _layer(key, frames[key], atlas, outline, result)
        specs.append(spec.to_js({"url": _stage_geojson(staged, spec.name, frame)}))
        legend += _legend(spec)
        result.features[key] = len(frame)
    if outline is not None:
        spec = selection_layer(outline).spec
        specs.append(spec.to_js({"url": _stage_geojson(staged, spec.name, outline)}))
    name = outline["name"].iloc[0] if outline is not None else None
    title = title or ("Atlas des coopérations territoriales" + (f" — {name}" if name else ""))
    config_js = {
        "title": title,
        "layers": specs,
        "legend": legend,
        "bounds": _bounds(outline),
        "overseas": overseas.places(),
        "attribution": " ".join([attribution(atlas.report, layers), *export_notices(result)]),
        "atlasUrl": atlas_url if re.match(r"^https?://", atlas_url) else "",
        "fiches": fiche_links(atlas_url) if re.match(r"^https?://", atlas_url) else {},
        "notListed": tiles_note([s["name"] for s in specs if s.get("type") == "tiles"]),
    }
    staged["data/config.json"] = json.dumps(
        config_js, ensure_ascii=False, separators=(",", ":")
    ).encode()
    cluster = any(s.get("cluster") for s in specs)
    tiles = any(s.get("type") == "tiles" for s in specs)
    staged.update(_assets(cluster=cluster, tiles=tiles))
    staged["index.html"] = index_html(title, cluster, tiles=tiles).encode()
    _commit(out_dir, staged, previous, result)
    return result


def previous_export(out_dir: Path) -> set[str] | None:
    """Check ``out_dir`` can receive an export; return the files its marker lists.

    Returns None when ``out_dir`` is new or empty (it is then created).

    Raises
    ------
    OutputError
        When ``out_dir`` cannot be written into (:func:`geodata.output.prepare_dir`), is
        not empty and has no marker, or its marker names a path outside it.
    """
    out_dir = prepare_dir(out_dir)
    marker = out_dir / MARKER
    if not marker.is_file():
        if any(out_dir.iterdir()):
            raise OutputError(
                f"--out {out_dir} n'est pas vide et ne contient pas d'export d'atlas embed "
                f"(pas de fichier {MARKER}) : rien n'est touché ; choisissez un dossier vide "
                "ou nouveau"
            )
        return None
    listed = set()
    for n, line in enumerate(marker.read_text(encoding="utf-8").splitlines(), 1):
        rel = line.strip()
        if not rel or rel.startswith("#"):
            continue
        try:
            inside(out_dir, rel)
        except OutputError:
            raise OutputError(
                f"{marker}, ligne {n} : {rel!r} mène hors du dossier --out {out_dir} (chemin "
                "avec « .. » ou lien symbolique) : rien n'est touché ; choisissez un autre dossier"
            ) from None
        listed.add(rel)
    return listed


def _commit(
    out_dir: Path, staged: dict[str, bytes | Path], previous: set[str] | None, result: ExportResult
) -> None:
    """Write the staged files, then remove those of the previous export not written again.

    Nothing is written when a file would leave ``out_dir`` or overwrite a file the previous
    export did not list. The marker lists old and new files while the export is written,
    so that an interrupted export is still cleaned up by the next one.
    """
    old = previous or set()
    targets = {rel: inside(out_dir, rel) for rel in staged}
    clash = [rel for rel, path in targets.items() if _occupied(path) and rel not in old]
    if clash:
        raise OutputError(
            f"--out {out_dir} contient déjà {clash[0]!r}, que l'export précédent n'a pas écrit : "
            "rien n'est touché ; déplacez ce fichier ou choisissez un autre dossier"
        )
    _write_marker(out_dir, old | set(staged))
    for rel, content in staged.items():
        path = targets[rel]
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_bytes(content)
        result.files.append(path)
    for rel in sorted(old - set(staged)):
        path = out_dir / rel
        if path.is_file() or path.is_symlink():
            path.unlink()
            result.removed.append(path)
            _prune(path.parent, out_dir)
    _write_marker(out_dir, set(staged))
    result.files.append(out_dir / MARKER)
    result.replaced = previous is not None


def _occupied(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _prune(folder: Path, out_dir: Path) -> None:
    """Remove ``folder`` and its parents below ``out_dir`` while they are empty."""
    while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _write_marker(out_dir: Path, files: set[str]) -> None:
    (out_dir / MARKER).write_text(
        MARKER_HEADER + "".join(f"{rel}\n" for rel in sorted(files)), encoding="utf-8"
    )


def unknown_mode(mode: str) -> str:
    """Return the French line refusing a commune colouring that is not a key of ``MODES``."""
    modes = ", ".join(f"{key} ({label})" for key, label in communes_mod.MODES.items())
    return f"--communes {mode!r} inconnu : choisissez l'un des modes {modes}"


def not_listed(keys: Sequence[str]) -> str:
    """Return the French note of the table twin on the tile layers it does not list."""
    names = ", ".join(f"« {REGISTRY[k].label} »" for k in keys if k in TILE_LAYERS)
    return f"La couche {names} n'est pas listée dans ce tableau." if names else ""


def tiles_note(keys: Sequence[str]) -> str:
    """Return the export's French note on the tile layers its table and filter leave out."""
    note = not_listed(keys)
    return f"{note} Le filtre par nom ne s'applique pas à elle." if note else ""


def export_notices(result: ExportResult) -> list[str]:
    """Return the French notices of layers cut to the cap (shown on the page and by the CLI)."""
    number = lambda n: f"{n:,}".replace(",", "\u202f")  # noqa: E731
    return [
        f"{REGISTRY[key].label} : {number(sent)} premiers éléments exportés sur "
        f"{number(total)} (au-delà, une carte publique ne s'affiche plus dans un navigateur ; "
        "exportez un territoire pour les voir tous)."
        for key, (sent, total) in result.capped.items()
    ]


def layer_spec(key: str, gdf: gpd.GeoDataFrame) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    """Return the spec the app draws layer ``key`` with, and the columns it sends the browser."""
    store = CapturingStore()
    spec = draw_layer(key, gdf, store, MapView(layers=(key,))).spec  # no filter: all rows
    return spec, store.frames[spec.name]


def _layer(
    key: str,
    gdf: gpd.GeoDataFrame,
    atlas: Atlas,
    outline: gpd.GeoDataFrame | None,
    result: ExportResult,
) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    spec, frame = layer_spec(key, gdf)
    frame = apply_filters(frame, spec.filters)
    if outline is not None:
        frame = clip(frame, outline.geometry.iloc[0])
    if len(capped_rows(frame, spec)) < len(frame):  # a visitor's browser draws at most the cap
        result.capped[key] = (MAX_FEATURES, len(frame))
        frame = capped_rows(frame, spec)
    table = table_columns(key, gdf.loc[frame.index], atlas.communes)
    frame = frame.assign(commune=table["commune"], programme=table["programme"])
    for column in frame.columns.drop("geometry"):
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            text = frame[column].fillna("").astype(str)
            masked = text.map(mask_contacts)
            result.masked += int((masked != text).sum())
            frame[column] = masked
    return spec, frame


def _legend(spec: LayerSpec) -> list[dict[str, str]]:
    shape = "point" if spec.geometry == "point" else "area"
    if spec.colors:
        return [
            {"label": f"{spec.kind_label} : {label}", "color": color, "shape": shape}
            for label, color in spec.colors.items()
        ]
    return [{"label": spec.kind_label, "color": swatch_color(spec), "shape": shape}]


def _bounds(outline: gpd.GeoDataFrame | None) -> list[list[float]]:
    return leaflet_bounds(FRANCE_VIEW if outline is None else outline.total_bounds)


def _stage_geojson(staged: dict[str, bytes | Path], name: str, gdf: gpd.GeoDataFrame) -> str:
    # Rounding to 1e-6° (~10 cm) keeps files small; no coordinate then has enough digits
    # to be mistaken for a phone number by the privacy check.
    data = json.loads(to_feature_collection(gdf), parse_float=lambda s: round(float(s), 6))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    rel = f"data/{name}-{hashlib.sha256(text).hexdigest()[:12]}.geojson.gz"
    # Compressed here, decompressed by the page: a static server sends the file as it is,
    # compressed or not (http.server never compresses: France's EPCI and case studies are
    # 1.8 MB of GeoJSON, 0.5 MB gzipped).
    staged[rel] = gzipped(text)
    return rel


def _stage_tiles(
    staged: dict[str, bytes | Path],
    key: str,
    source: TileSource,
    spec: TileSpec,
    outline: gpd.GeoDataFrame | None,
    result: ExportResult,
) -> dict:
    """Stage the tiles of tile layer ``key`` (those over ``outline`` only); return its spec.

    The spec (``atlas.tileLayer``'s, marked ``"type": "tiles"``) points at the export's
    copy, ``tiles/<layer>/{z}/{x}/{y}.pbf.gz``, and its ranges list exactly the tiles
    copied, so the page never asks for a tile that is not there. A territory's export
    copies the zooms from :func:`coarsest_zoom` up only.
    """
    layer = REGISTRY[key].tiles
    info = source.tileset.layers[layer]
    ranges = info.ranges if outline is None else tiles_over(info.ranges, outline.total_bounds)
    coarsest = min(map(int, ranges)) if outline is None else coarsest_zoom(ranges)
    ranges = {z: zoom_ranges for z, zoom_ranges in ranges.items() if int(z) >= coarsest}
    rels = {
        f"tiles/{tile}": source.tileset.folder / tile
        for z, zoom_ranges in ranges.items()
        for x, y in mercator.tiles_in([tuple(r) for r in zoom_ranges])
        for tile in [f"{layer}/{z}/{x}/{y}{TILE_SUFFIX}"]
    }
    missing = [str(path) for path in rels.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(
            f"{missing[0]} (and {len(missing) - 1} other tile(s)) listed by "
            f"{source.tileset.folder / 'tileset.json'} is missing; rebuild with "
            "`atlas build --force`"
        )
    staged.update(rels)
    result.tiles[key] = (len(rels), sum(path.stat().st_size for path in rels.values()))
    url = f"tiles/{layer}/{{z}}/{{x}}/{{y}}{TILE_SUFFIX}"
    return {
        **spec.to_js(),
        "type": "tiles",
        "url": url,
        "ranges": ranges,
        "minNativeZoom": coarsest,
    }


def coarsest_zoom(ranges: dict[str, list[list[int]]], most: int = 4) -> int:
    """Return the finest zoom at which ``ranges`` hold at most ``most`` tiles (2 × 2).

    A territory's export starts there: a coarser tile holds the communes of a far larger
    area (zoom 4: all of metropolitan France, 1 MB), drawn filtered to a few of them, while
    the browser draws that zoom's tiles scaled down when the reader zooms out. The
    coarsest zoom of ``ranges`` when even it needs more tiles.
    """
    fits = [
        int(z) for z, zoom_ranges in ranges.items() if len(mercator.tiles_in(zoom_ranges)) <= most
    ]
    return max(fits, default=min(map(int, ranges)))


def tiles_over(
    ranges: dict[str, list[list[int]]], bounds: Sequence[float]
) -> dict[str, list[list[int]]]:
    """Cut a tile set's ``ranges`` (zoom -> ``[[xmin, xmax, ymin, ymax]…]``) to ``bounds``.

    ``bounds`` is ``(west, south, east, north)`` in degrees, widened by 1/32 of a tile at
    each zoom (8 pixels of a 256-pixel tile), so that a border simplified a little outside
    the territory's outline is still drawn. A zoom with no tile there keeps an empty list.
    """
    west, south, east, north = (float(v) for v in bounds)
    (x0, y0), (x1, y1) = mercator.lonlat_to_m(west, south), mercator.lonlat_to_m(east, north)
    out: dict[str, list[list[int]]] = {}
    for z, zoom_ranges in ranges.items():
        pad = mercator.tile_size_m(int(z)) / 32
        bx0, bx1, by0, by1 = mercator.tile_range((x0 - pad, y0 - pad, x1 + pad, y1 + pad), int(z))
        cut = [
            [max(r[0], bx0), min(r[1], bx1), max(r[2], by0), min(r[3], by1)] for r in zoom_ranges
        ]
        kept = [r for r in cut if r[0] <= r[1] and r[2] <= r[3]]
        out[z] = [list(r) for r in dict.fromkeys(tuple(r) for r in kept)]
    return out


EXPORT_VENDOR = "vendor"  # the export's copy of static/vendor, linked relatively


def _assets(*, cluster: bool, tiles: bool = False) -> dict[str, Path]:
    """Return the site's scripts, styles and icon: path in the export -> file to copy."""
    packages = ["leaflet"] + (["leaflet.markercluster"] if cluster else [])
    packages += ["pbf", "ieee754"] if tiles else []
    files = {"atlas/atlas-layers.js": STATIC / "atlas" / "atlas-layers.js"}
    if tiles:
        files[TILES_JS] = STATIC / TILES_JS
    files |= {f"embed/{n}": STATIC / "embed" / n for n in ("embed.js", "embed.css")}
    files["embed/favicon.png"] = STATIC / "atlas" / "favicon.png"
    for rel, (package, _) in vendored_targets(Path()).items():  # as `make assets` lays them out
        if package in packages:
            files[f"{EXPORT_VENDOR}/{Path(rel).as_posix()}"] = STATIC / EXPORT_VENDOR / rel
    missing = [str(src) for src in files.values() if not src.is_file()]
    if missing:
        raise FileNotFoundError(f"missing {missing}; run `make assets` (Leaflet from npm)")
    return files


def index_html(title: str, cluster: bool, *, tiles: bool = False) -> str:
    """Return the page: static markup, every script and style a file of the site itself.

    Pbf and ``atlas-tiles.js`` are loaded only when a tile layer is drawn.
    """
    links = ["leaflet_css", "leaflet"] + (
        ["markerclustercss", "markerclusterdefaultcss", "markerclusterjs"] if cluster else []
    )
    links += ["pbf"] if tiles else []
    urls = [url for _, url in vendored_links(links, EXPORT_VENDOR)]
    css = [u for u in urls if u.endswith(".css")] + ["embed/embed.css"]
    js = [u for u in urls if u.endswith(".js")]
    js += ["atlas/atlas-layers.js", *([TILES_JS] if tiles else []), "embed/embed.js"]
    head = "".join(f'<link rel="stylesheet" href="{h}">\n' for h in css)
    head += "".join(f'<script src="{s}" defer></script>\n' for s in js)
    return _PAGE.format(csp=escape(CSP, quote=False), title=escape(title), head=head)


_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="embed/favicon.png">
{head}</head>
<body>
<a class="skip" href="#tableau">Aller au tableau des éléments de la carte</a>
<header><h1 id="titre">{title}</h1></header>
<main>
<div class="filtre">
<label for="filtre">Filtrer la carte et le tableau par nom</label>
<input id="filtre" type="search" autocomplete="off" aria-describedby="compte">
<p id="compte" role="status" aria-live="polite"></p>
</div>
<div id="carte" role="region"
 aria-label="Carte interactive (le tableau ci-dessous en donne le contenu)"></div>
<p class="aide">Zoom : Ctrl + molette, ou les boutons + et −. Un clic sur un élément
affiche son nom et, si l'adresse de l'atlas est connue, un lien vers sa fiche.</p>
<section id="legende" aria-labelledby="legende-titre">
<h2 id="legende-titre">Légende</h2>
<ul id="legende-liste"></ul>
</section>
<section aria-labelledby="tableau-titre">
<h2 id="tableau-titre">Éléments affichés sur la carte</h2>
<div class="tableau" role="region" aria-labelledby="tableau-titre" tabindex="0">
<table id="tableau">
<caption>Éléments de la carte, filtrés comme elle : nom, type, commune, programme.
Le bouton d'un nom centre la carte sur lui.</caption>
<thead><tr><th scope="col">Nom</th><th scope="col">Type</th>
<th scope="col">Commune</th><th scope="col">Programme</th></tr></thead>
<tbody></tbody>
</table>
</div>
</section>
</main>
<footer><p id="attribution"></p><p id="lien-atlas"></p></footer>
<noscript><p>La carte et le tableau demandent JavaScript ;
les données sont dans le dossier data/ (GeoJSON compressé par gzip).</p></noscript>
</body>
</html>
"""
