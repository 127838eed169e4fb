"""Static export of the map: a standalone site any static web server or CDN can serve.

``atlas embed --out DIR [--territory ID] [--layers epci,ti,...]`` writes::

    DIR/index.html            lang="fr", a strict Content-Security-Policy, no inline script
    DIR/vendor/...            Leaflet (and Leaflet.markercluster when a layer clusters),
                              copied from static/vendor (``make assets``, from npm)
    DIR/atlas/atlas-layers.js the app's own layer script (``atlas.geojsonLayer(spec)``)
    DIR/embed/embed.js, .css  the page script: reads data/config.json, draws the map, the
                              legend and the table twin, filters both from one text input
    DIR/data/config.json      layer specs, legend, attribution, bounds
    DIR/data/<layer>-<hash>.geojson

The page loads nothing from another origin (no basemap: tiles would be third-party
requests) and no script is built from data: every text reaches the DOM through
``textContent`` or Leaflet tooltips escaped by ``atlas-layers.js``. Only the columns each
layer draws are exported (never the tiers-lieux ``web`` column); any e-mail address or
phone number left in a text field is masked, and coordinates are rounded to 1e-6°.

Data: the atlas build (IGN ADMIN EXPRESS / INSEE COG 2025, ANCT lists, curated cases),
EPSG:4326 as stored. Pure Python: no Streamlit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geodata import config, territory
from geodata.atlas import Atlas
from geodata.vocab import LIST_SEP
from layers import acv, cases, epci, pays, pvd, ti, tiers_lieux
from layers.assets import vendored_links, vendored_targets
from layers.geojson import LayerSpec, to_feature_collection
from layers.legend import swatch_color
from layers.selection import selection_layer

LAYERS = ("epci", "pays", "ti", "acv", "pvd", "tiers_lieux", "clusters", "cases")
DEFAULT_LAYERS = ("epci", "cases")
ATTRIBUTION = "Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0"
FRANCE_BOUNDS = [[41.3, -5.2], [51.1, 9.6]]  # metropolitan France, south-west / north-east
TERRITORY_KINDS = {"commune": "commune", "epci": "epci", "pays": "pays", "ti": "ti",
                   "dep": "departement", "departement": "departement",
                   "reg": "region", "region": "region"}
# No 'unsafe-inline' nor 'unsafe-eval' for scripts, no remote origin anywhere. The one
# inline-style allowance is for style *attributes* (Leaflet.markercluster's cluster icons
# are HTML with a style attribute); <style> elements stay forbidden.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'none'")
# Same patterns as the case-table validator (geodata.cases), applied to exported text.
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(
    r"(?<!\d)(?:(?:\+|00)33[\s.\-]*(?:\(0\)[\s.\-]*)?|0)[1-9](?:[\s.\-]*\d{2}){4}(?!\d)"
)
MASK = "[coordonnées masquées]"
STATIC = config.PROJECT_ROOT / "static"
# Layer key -> build stage sources (by file name in the report) giving its vintage.
VINTAGE_FILES = {
    "acv": ("acv.csv", "acv2.csv"), "pvd": ("pvd.csv",), "ti": ("ti_groupements.csv",),
    "tiers_lieux": ("fabriques_territoire.csv", "manufactures_proximite.csv",
                    "tiers_lieux_2019.csv"),
}

Builder = Callable[[gpd.GeoDataFrame, Any], Any]
BUILDERS: dict[str, Builder] = {
    "epci": epci.epci_layer, "pays": pays.pays_layer, "ti": ti.ti_layer,
    "acv": acv.acv_layer, "pvd": pvd.pvd_layer, "tiers_lieux": tiers_lieux.tiers_lieux_layer,
    "clusters": lambda g, s: cases.cases_layer(g, s, clusters_only=True),
    "cases": cases.cases_layer,
}


@dataclass
class ExportResult:
    """What :func:`export_site` wrote."""

    out_dir: Path
    files: list[Path]
    features: dict[str, int]  # layer key -> features exported
    missing: list[str]  # layers asked for but not in the build
    masked: int = 0  # text fields in which contact details were masked

    @property
    def size_bytes(self) -> int:
        """Total size of the site on disk."""
        return sum(p.stat().st_size for p in self.files)


@dataclass
class _Capture:
    """A DataStore that keeps what a layer would write, so the export writes it itself."""

    frames: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)

    def put(self, gdf: gpd.GeoDataFrame, name: str) -> dict[str, Any]:
        self.frames[name] = gdf
        return {}


def layer_data(atlas: Atlas) -> dict[str, gpd.GeoDataFrame | None]:
    """The frames the map draws, by layer key (same choice as ``pages.data.map_layers``)."""
    petr, ti_simple = atlas.get("petr"), atlas.get("ti_simplified")
    return {
        "epci": atlas.epci, "pays": petr if petr is not None else atlas.get("pays"),
        "ti": ti_simple if ti_simple is not None else atlas.get("ti"),
        "acv": atlas.get("acv"), "pvd": atlas.get("pvd"), "tiers_lieux": atlas.get("tiers_lieux"),
        "clusters": atlas.get("clusters"), "cases": atlas.get("cases"),
    }


def parse_territory(text: str) -> tuple[str, str]:
    """Parse ``kind:id`` (``epci:200035731``, ``dep:42``, ``reg:84``, ``ti:…``, ``pays:…``,
    ``commune:42187``), or a bare code: 9 digits is an EPCI, 5 characters a commune,
    2 or 3 a département.

    Raises
    ------
    ValueError
        When the kind is unknown or a bare code is none of the above.
    """
    kind, sep, ident = text.strip().partition(":")
    if sep:
        if kind not in TERRITORY_KINDS or not ident:
            raise ValueError(f"territory {text!r}: expected KIND:ID with KIND one of "
                             f"{sorted(TERRITORY_KINDS)}, e.g. epci:200035731 or dep:42")
        return TERRITORY_KINDS[kind], ident.strip()
    code = kind
    if re.fullmatch(r"\d{9}", code):
        return "epci", code
    if re.fullmatch(r"(?:\d{2}|2[AB])\d{3}", code):
        return "commune", code
    if re.fullmatch(r"\d{2,3}|2[AB]", code):
        return "departement", code
    raise ValueError(f"territory {text!r}: not a SIREN (9 digits), an INSEE commune code "
                     "(5 characters) or a département code; or write KIND:ID, e.g. ti:T42")


def territory_outline(atlas: Atlas, kind: str, ident: str) -> gpd.GeoDataFrame:
    """Outline of a territory (its communes dissolved): ``id, name, geometry``, EPSG:4326.

    Raises
    ------
    ValueError
        When the territory is unknown or has no commune with a geometry.
    """
    row = territory.find(atlas, kind, ident)
    codes = territory.commune_codes(atlas, kind, ident)
    com = atlas.communes[atlas.communes["insee_com"].isin(codes)]
    com = com[~com.geometry.isna()]
    if row is None or com.empty:
        raise ValueError(f"territory {kind}:{ident} is unknown in this build "
                         "(atlas info lists what is loaded)")
    name = str(row.get("nom", row.get("lib_ti", row.get("name", ident))))
    geom = shapely.coverage_union_all(com.geometry.values)
    return gpd.GeoDataFrame({"id": [ident], "name": [name]}, geometry=[geom], crs=com.crs)


def clip(gdf: gpd.GeoDataFrame, outline: shapely.Geometry) -> gpd.GeoDataFrame:
    """Keep the points inside ``outline`` and the areas sharing a fifth of their own area
    or of the outline's with it: a territory's EPCI, the TI or Pays that contain it, not
    the neighbours that only touch it (display geometry is simplified, so borders overlap
    a little). Degrees are fine for these ratios."""
    hits = gdf.iloc[gdf.sindex.query(outline, predicate="intersects")]
    geoms = hits.geometry.values
    points = shapely.get_type_id(geoms) == 0
    shared = shapely.area(shapely.intersection(geoms, outline))
    big = (shared > 0.2 * shapely.area(geoms)) | (shared > 0.2 * outline.area)
    return hits[points | big].sort_index()


def apply_filters(gdf: gpd.GeoDataFrame, filters: dict[str, list[str]] | None) -> gpd.GeoDataFrame:
    """Keep the rows ``atlas-layers.js`` would keep for ``spec.filters`` (``;`` lists)."""
    keep = pd.Series(True, index=gdf.index)
    for column, allowed in (filters or {}).items():
        wanted = set(allowed)
        keep &= gdf[column].map(
            lambda v: bool(wanted & set(v.split(LIST_SEP) if isinstance(v, str) else [v])))
    return gdf[keep]


def apply_text(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Keep the rows ``atlas-layers.js`` would keep for ``spec.text`` (accents and case
    ignored, searched in ``spec.text_fields`` or the label)."""
    if not spec.text:
        return gdf
    fields = list(spec.text_fields) or [spec.label_field]
    hay = gdf[fields].fillna("").astype(str).agg(" ".join, axis=1).map(_normalise)
    return gdf[hay.str.contains(_normalise(spec.text), regex=False)]


def _normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def features_table(
    frames: dict[str, gpd.GeoDataFrame | None], specs: Sequence[LayerSpec],
    communes: pd.DataFrame, outline: shapely.Geometry | None = None,
) -> pd.DataFrame:
    """The table twin of a map: one row per feature the specs draw (French headers).

    Parameters
    ----------
    frames : dict
        Layer key -> the frame drawn (``layer_data``); a spec's name is its key.
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
        if gdf is None:
            continue
        gdf = apply_text(apply_filters(gdf, spec.filters), spec)
        if outline is not None:
            gdf = clip(gdf, outline)
        cells = table_columns(spec.name, gdf, communes)
        part = pd.DataFrame({"Nom": gdf[spec.label_field].fillna("").astype(str),
                             "Type": spec.kind_label, "Commune": cells["commune"],
                             "Programme": cells["programme"]})
        parts.append(part.sort_values("Nom", key=lambda s: s.map(_normalise)))
    columns = ["Nom", "Type", "Commune", "Programme"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def mask_contacts(text: str) -> str:
    """Replace e-mail addresses and phone numbers in ``text`` with a mask."""
    return PHONE_RE.sub(MASK, EMAIL_RE.sub(MASK, text))


def vintages(report: dict, layers: Sequence[str]) -> list[str]:
    """Vintages of the sources behind ``layers``, from the build report (French)."""
    stages = report.get("stages", {})
    out = [src["vintage"] for src in stages.get("base", {}).get("sources", [])]
    if {"cases", "clusters"} & set(layers):
        out += [f"études de cas : {s['vintage'].split(' (')[0]}"
                for s in stages.get("cases", {}).get("sources", [])]
    for key in layers:
        for src in stages.get("programmes", {}).get("sources", []):
            if any(f"({f})" in src["name"] for f in VINTAGE_FILES.get(key, ())):
                out.append(f"{src['name'].split(' (')[0]} : {src['vintage']}")
    return list(dict.fromkeys(out))


def attribution(report: dict, layers: Sequence[str]) -> str:
    """``Sources : IGN, INSEE, ANCT — Licence Ouverte 2.0. Millésimes : …`` (French)."""
    found = vintages(report, layers)
    return f"{ATTRIBUTION}. Millésimes : {' ; '.join(found)}" if found else ATTRIBUTION


def table_columns(key: str, src: gpd.GeoDataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """The table twin's ``commune`` and ``programme`` cells of a layer's rows (French)."""
    out = pd.DataFrame(index=src.index, data={"commune": "", "programme": ""})
    if "nom_commune" in src:
        out["commune"] = src["nom_commune"].fillna("")
    elif "insee_com" in src:
        names = dict(zip(communes["insee_com"], communes["nom"], strict=False))
        out["commune"] = src["insee_com"].map(names).fillna("")
    if key in ("acv", "pvd"):
        out["programme"] = src["programme"].fillna("")
    elif key == "ti":
        out["programme"] = "Territoires d'industrie " + src["phase"].astype(str)
    elif key == "tiers_lieux":
        out["programme"] = src["source"].fillna("")
    elif key in ("cases", "clusters"):
        out["programme"] = src["programmes"].fillna("").str.replace(";", ", ")
    return out


def export_site(
    out_dir: Path, atlas: Atlas, layers: Sequence[str] = DEFAULT_LAYERS,
    territory: str | None = None, *, title: str | None = None, atlas_url: str = "",
) -> ExportResult:
    """Write the standalone site of ``layers`` (optionally one territory) to ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Destination; created if needed. Files of a previous export are replaced.
    atlas : Atlas
        The loaded build (``geodata.atlas.load``).
    layers : sequence of str
        Layer keys in drawing order, among :data:`LAYERS`.
    territory : str, optional
        ``kind:id`` or a bare code (see :func:`parse_territory`): only the features of
        that territory are exported, and the map opens on it.
    title : str, optional
        Page title (default: the atlas's name, and the territory's).
    atlas_url : str
        Link "Ouvrir l'atlas complet" in the footer (none when empty).

    Returns
    -------
    ExportResult
        Files written, features per layer, layers not in the build.

    Raises
    ------
    ValueError
        For an unknown layer key or territory.
    FileNotFoundError
        When static/vendor is missing (run ``make assets``).
    """
    unknown = [k for k in layers if k not in LAYERS]
    if unknown:
        raise ValueError(f"unknown layer(s) {unknown}; expected some of {list(LAYERS)}")
    outline = territory_outline(atlas, *parse_territory(territory)) if territory else None
    out_dir = Path(out_dir)
    if (out_dir / "data").is_dir():
        shutil.rmtree(out_dir / "data")
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    result = ExportResult(out_dir, [], {}, [])
    specs, legend = [], []
    frames = layer_data(atlas)
    for key in layers:
        if frames.get(key) is None:
            result.missing.append(key)
            continue
        spec, frame = _layer(key, frames[key], atlas, outline, result)
        specs.append(spec.to_js({"url": _write_geojson(out_dir, spec.name, frame, result)}))
        legend += _legend(spec)
        result.features[key] = len(frame)
    if outline is not None:
        spec = selection_layer(outline).spec
        specs.append(spec.to_js({"url": _write_geojson(out_dir, spec.name, outline, result)}))
    name = outline["name"].iloc[0] if outline is not None else None
    title = title or ("Atlas des coopérations territoriales" + (f" — {name}" if name else ""))
    config_js = {
        "title": title, "layers": specs, "legend": legend,
        "bounds": _bounds(outline), "attribution": attribution(atlas.report, layers),
        "atlasUrl": atlas_url if re.match(r"^https?://", atlas_url) else "",
    }
    _write(out_dir / "data" / "config.json",
           json.dumps(config_js, ensure_ascii=False, separators=(",", ":")).encode(), result)
    _copy_assets(out_dir, cluster=any(s["cluster"] for s in specs), result=result)
    _write(out_dir / "index.html", index_html(title, any(s["cluster"] for s in specs)).encode(),
           result)
    return result


def layer_spec(key: str, gdf: gpd.GeoDataFrame) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    """The spec the app draws layer ``key`` with, and the columns it sends the browser."""
    store = _Capture()
    spec = BUILDERS[key](gdf, store).spec
    return spec, store.frames[spec.name]


def _layer(key: str, gdf: gpd.GeoDataFrame, atlas: Atlas, outline: gpd.GeoDataFrame | None,
           result: ExportResult) -> tuple[LayerSpec, gpd.GeoDataFrame]:
    spec, frame = layer_spec(key, gdf)
    frame = apply_filters(frame, spec.filters)
    if outline is not None:
        frame = clip(frame, outline.geometry.iloc[0])
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
        return [{"label": f"{spec.kind_label} : {label}", "color": color, "shape": shape}
                for label, color in spec.colors.items()]
    return [{"label": spec.kind_label, "color": swatch_color(spec), "shape": shape}]


def _bounds(outline: gpd.GeoDataFrame | None) -> list[list[float]]:
    if outline is None:
        return FRANCE_BOUNDS
    b = outline.total_bounds
    return [[float(b[1]), float(b[0])], [float(b[3]), float(b[2])]]


def _write_geojson(out_dir: Path, name: str, gdf: gpd.GeoDataFrame, result: ExportResult) -> str:
    # Rounding to 1e-6° (~10 cm) keeps files small; no coordinate then has enough digits
    # to be mistaken for a phone number by the privacy check.
    data = json.loads(to_feature_collection(gdf), parse_float=lambda s: round(float(s), 6))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    rel = f"data/{name}-{hashlib.sha256(text).hexdigest()[:12]}.geojson"
    _write(out_dir / rel, text, result)
    return rel


def _write(path: Path, content: bytes, result: ExportResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    result.files.append(path)


EXPORT_VENDOR = "vendor"  # the export's copy of static/vendor, linked relatively


def _copy_assets(out_dir: Path, *, cluster: bool, result: ExportResult) -> None:
    packages = ["leaflet"] + (["leaflet.markercluster"] if cluster else [])
    files = [(STATIC / "atlas" / "atlas-layers.js", out_dir / "atlas" / "atlas-layers.js")]
    files += [(STATIC / "embed" / n, out_dir / "embed" / n) for n in ("embed.js", "embed.css")]
    files.append((STATIC / "atlas" / "favicon.png", out_dir / "embed" / "favicon.png"))
    for rel, (package, _) in vendored_targets(Path()).items():  # as `make assets` lays them out
        if package in packages:
            files.append((STATIC / EXPORT_VENDOR / rel, out_dir / EXPORT_VENDOR / rel))
    missing = [str(src) for src, _ in files if not src.is_file()]
    if missing:
        raise FileNotFoundError(f"missing {missing}; run `make assets` (Leaflet from npm)")
    for src, dest in files:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        result.files.append(dest)


def index_html(title: str, cluster: bool) -> str:
    """The page: static markup, every script and style a file of the site itself."""
    links = ["leaflet_css", "leaflet"] + (
        ["markerclustercss", "markerclusterdefaultcss", "markerclusterjs"] if cluster else [])
    urls = [url for _, url in vendored_links(links, EXPORT_VENDOR)]
    css = [u for u in urls if u.endswith(".css")] + ["embed/embed.css"]
    js = [u for u in urls if u.endswith(".js")]
    js += ["atlas/atlas-layers.js", "embed/embed.js"]
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
les données sont dans le dossier data/ (GeoJSON).</p></noscript>
</body>
</html>
"""


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``atlas embed --out DIR [--territory ID] [--layers epci,ti,...]``."""
    p = subparsers.add_parser("embed", help="write a standalone static site of the map "
                                            "(index.html, Leaflet, data) for any web server")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--territory", metavar="ID",
                   help="only this territory: epci:SIREN, dep:42, reg:84, ti:ID, pays:ID, "
                        "commune:INSEE, or a bare SIREN / INSEE / département code")
    p.add_argument("--layers", default=",".join(DEFAULT_LAYERS),
                   help=f"comma-separated layers among {','.join(LAYERS)} "
                        f"(default: {','.join(DEFAULT_LAYERS)})")
    p.add_argument("--title", help="page title")
    p.add_argument("--atlas-url", default="", help="URL of the full atlas, linked in the footer")
    p.add_argument("--build", type=Path,
                   help="build directory (default: $ATLAS_BUILD_DIR or build/)")
    p.set_defaults(func=run_embed)
    return p


def run_embed(args: argparse.Namespace) -> int:
    """Run ``atlas embed``; print what was written; return the exit code."""
    from geodata import atlas as atlas_mod

    keys = [k.strip() for k in args.layers.split(",") if k.strip()]
    try:
        a = atlas_mod.load(args.build)
        result = export_site(args.out, a, keys, args.territory, title=args.title,
                             atlas_url=args.atlas_url)
    except (ValueError, FileNotFoundError) as error:
        print(f"atlas embed: {error}", file=sys.stderr)
        return 2
    for key, n in result.features.items():
        print(f"  {key}: {n:,} features")
    for key in result.missing:
        print(f"  {key}: not in the build, left out (atlas info says how to load it)")
    if result.masked:
        print(f"  contact details masked in {result.masked} text field(s)")
    print(f"wrote {len(result.files)} files, {result.size_bytes:,} bytes, to {result.out_dir}")
    return 0
