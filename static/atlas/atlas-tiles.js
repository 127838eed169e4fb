/* Atlas des coopérations territoriales: vector tile layers drawn on canvas from a spec
 * built in Python (layers/tiles.py), with leaflet.vectorgrid (vendored). Tiles come from
 * the app itself (spec.url); only tiles inside the tile set's ranges are requested, so
 * the browser never asks for a tile that does not exist. Every text is escaped before it
 * reaches the DOM (atlas.escapeHtml, atlas-layers.js). */
(function (global) {
  "use strict";

  // The mouse in a canvas tile's own pixels. VectorGrid 1.3.0 subtracts the tile's offset
  // from the layer point, right at whole zooms only: at a fractional zoom (zoomSnap 0.25)
  // the tile level is scaled, and hover and clicks missed their feature.
  function tilePoint(tile, e) {
    var map = tile._map, c = tile._tileCoord;
    return map.project(map.mouseEventToLatLng(e), c.z)
      .subtract(L.point(c.x, c.y).scaleBy(tile._size));
  }

  // Leaflet >= 1.8 has no L.DomEvent.fakeStop, which VectorGrid 1.3.0's canvas tiles call
  // on each click (Leaflet/Leaflet.VectorGrid#274, fixed by #288: stop() instead).
  if (L.Canvas && L.Canvas.Tile) {
    L.Canvas.Tile.include({
      _onMouseMove: function (e) {
        if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) { return; }
        this._handleMouseHover(e, tilePoint(this, e));
      },
      _onClick: function (e) {
        var point = tilePoint(this, e);
        var clicked = null;
        for (var id in this._layers) {
          var layer = this._layers[id];
          if (layer.options.interactive && layer._containsPoint(point) &&
              !this._map._draggableMoved(layer)) {
            clicked = layer;
          }
        }
        if (clicked) {
          L.DomEvent.stop(e);
          this._fireEvent([clicked], e);
        }
      }
    });
  }

  // FNV-1a (32 bits) of a string: the same value picks the same colour on every map
  // (a commune in several groupings takes the colour of its first).
  function hash(text) {
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  function fillOf(spec, props) {
    var c = spec.coloring || {};
    var value = props[c.by];
    if (c.member !== undefined) {
      var members = typeof value === "string" && value ? value.split(";") : [];
      return members.indexOf(c.member) !== -1 ? c.color : spec.none;
    }
    if (c.breaks) {
      var n = Number(value);
      if (value === null || value === undefined || value === "" || isNaN(n) || n < 0) {
        return spec.none;
      }
      var k = 0;
      while (k < c.breaks.length && n >= c.breaks[k]) { k++; }
      return c.classes[k] || spec.none;
    }
    if (c.hash) {
      var first = String(value || "").split(";")[0];  // a commune in several: the first
      return first ? c.hash[hash(first) % c.hash.length] : spec.none;
    }
    return spec.none;
  }

  // Every filter must hold: the property (or one id of a ";" list: Pays, TI) is allowed.
  function kept(spec, props) {
    var filters = spec.filters || {};
    for (var field in filters) {
      var allowed = filters[field];
      var values = String(props[field] == null ? "" : props[field]).split(";");
      if (!values.some(function (v) { return allowed.indexOf(v) !== -1; })) { return false; }
    }
    return true;
  }

  function styleOf(spec, props, zoom) {
    if (!kept(spec, props)) { return []; }  // VectorGrid draws nothing for []
    var fill = fillOf(spec, props);
    var style = Object.assign({ fill: true, fillColor: fill }, spec.style);
    if (zoom < 7) { style.weight = (style.weight || 1) / 2; }  // a whole country: finer lines
    if (spec.highlight && String(props[spec.idField]) === spec.highlight) {
      Object.assign(style, { color: "#000000", weight: 4, opacity: 1 });
    }
    return style;
  }

  function tooltipOf(spec, props) {
    return atlas.escapeHtml(props[spec.labelField] + " — " + spec.kindLabel + " " +
                            props[spec.idField]);
  }

  // Tiles of spec.tileSize pixels (512) draw the native tile one zoom up: the tile (x, y)
  // of display zoom z is the native tile (x, y) of zoom z - 1 (256-pixel tiles: z itself).
  function zoomOffset(spec) { return Math.round(Math.log2((spec.tileSize || 256) / 256)); }

  function dataOf(spec, coords) {
    var c = L.point(coords.x, coords.y);
    c.z = coords.z - zoomOffset(spec);
    return c;
  }

  // Tiles are gzip-compressed files (tileset.json "compression"), sent as they are by the
  // app's static serving or any static web server: VectorGrid fetches them with the
  // page's fetch, which gives it the decompressed bytes for URLs under a tile set's
  // prefix (DecompressionStream, as PMTiles readers do). An empty tile is a 0-byte file.
  var gzipPrefixes = [];
  var pageFetch = global.fetch;

  function gunzip(response) {
    if (!response.ok) { return response; }
    return response.arrayBuffer().then(function (buffer) {
      if (!buffer.byteLength) { return new Response(buffer); }
      var stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"));
      return new Response(stream);
    });
  }

  function decompressUnder(url) {
    var prefix = url.split("{")[0];
    if (gzipPrefixes.indexOf(prefix) !== -1) { return; }
    gzipPrefixes.push(prefix);
    global.fetch = function (input, init) {
      var target = typeof input === "string" ? input : input.url;
      var tile = gzipPrefixes.some(function (p) { return target.indexOf(p) === 0; });
      var answer = pageFetch.call(global, input, init);
      return tile ? answer.then(gunzip) : answer;
    };
  }

  // The tile of the deepest native zoom holding `coords` (itself up to that zoom).
  function nativeOf(spec, coords) {
    var dz = coords.z - spec.maxNativeZoom;
    if (dz <= 0) { return coords; }
    var f = Math.pow(2, dz);
    var parent = L.point(Math.floor(coords.x / f), Math.floor(coords.y / f));
    parent.z = spec.maxNativeZoom;
    return parent;
  }

  // Past the deepest native zoom, a tile is cut from its ancestor's vector data and drawn
  // at full resolution (Leaflet's maxNativeZoom would enlarge a bitmap: blurred borders).
  // The ancestor is fetched once for all its children (a few kept in memory).
  function overzoom(grid, spec) {
    var fetchTile = grid._getVectorTilePromise;
    var recent = {}, order = [];
    grid._getVectorTilePromise = function (display) {
      var coords = dataOf(spec, display);
      var parent = nativeOf(spec, coords);
      if (parent === coords) { return fetchTile.call(this, coords); }
      var key = parent.x + "/" + parent.y;
      if (!recent[key]) {
        recent[key] = fetchTile.call(this, parent);
        order.push(key);
        if (order.length > 16) { delete recent[order.shift()]; }
      }
      var f = Math.pow(2, coords.z - parent.z);
      return recent[key].then(function (json) {
        var out = { layers: {} };
        for (var name in json.layers) {
          var layer = json.layers[name], ext = layer.extent;
          var dx = (coords.x - parent.x * f) * ext / f, dy = (coords.y - parent.y * f) * ext / f;
          out.layers[name] = { extent: ext, features: layer.features.map(function (feat) {
            return { type: feat.type, properties: feat.properties,
                     geometry: feat.geometry.map(function (ring) {
                       return ring.map(function (p) {
                         return { x: (p.x - dx) * f, y: (p.y - dy) * f };
                       });
                     }) };
          }) };
        }
        return out;
      });
    };
  }

  function inRanges(spec, display) {
    var coords = nativeOf(spec, dataOf(spec, display));
    var ranges = spec.ranges[String(coords.z)] || [];
    for (var i = 0; i < ranges.length; i++) {
      var r = ranges[i];
      if (coords.x >= r[0] && coords.x <= r[1] && coords.y >= r[2] && coords.y <= r[3]) {
        return true;
      }
    }
    return false;
  }

  function tileLayer(spec) {
    var styles = {};
    styles[spec.name] = function (props, zoom) { return styleOf(spec, props, zoom); };
    if (spec.compression === "gzip") { decompressUnder(spec.url); }
    var grid = L.vectorGrid.protobuf(spec.url, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: true,
      tileSize: spec.tileSize || 256,
      // below: the tiles of the coarsest native zoom, made smaller
      minNativeZoom: spec.minNativeZoom + zoomOffset(spec),
      zIndex: 2,  // above a basemap, below every GeoJSON layer (overlay pane)
      fetchOptions: { credentials: "same-origin" }
    });
    overzoom(grid, spec);
    var valid = grid._isValidTile;
    grid._isValidTile = function (coords) {
      return valid.call(this, coords) && inRanges(spec, coords);
    };
    function mark(loaded) {
      var box = grid.getContainer && grid.getContainer();
      if (box) { box.setAttribute("data-loaded", loaded ? "1" : "0"); }
    }
    // The map's script adds the layers, then fits the view: tiles are asked for once the
    // view is placed (next task), not for the map's first view (a whole world at zoom 4).
    var update = grid._update, placed = false;
    grid._update = function (center) {
      if (placed) { return update.call(this, center); }
    };
    grid.on("add", function () {
      var box = grid.getContainer();
      L.DomUtil.addClass(box, "atlas-tiles");
      L.DomUtil.addClass(box, "atlas-tiles-" + spec.name);
      mark(false);
      setTimeout(function () {
        placed = true;
        if (grid._map) { grid._resetView(); mark(!grid.isLoading()); }
      }, 0);
    });
    grid.on("loading", function () { mark(false); });
    grid.on("load", function () { mark(true); });

    // One tooltip for the whole layer, following the mouse.
    var tip = L.tooltip({ sticky: true, direction: "auto", className: "atlas-tiles-tooltip" });
    grid.on("mousemove", function (e) {
      var props = e.layer && e.layer.properties;
      if (!props || !grid._map) { return; }
      tip.setContent(tooltipOf(spec, props)).setLatLng(e.latlng);
      if (!grid._map.hasLayer(tip)) { tip.addTo(grid._map); }
    });
    grid.on("mouseout", function () { if (grid._map) { grid._map.removeLayer(tip); } });
    grid.on("remove", function () { if (tip._map) { tip._map.removeLayer(tip); } });

    // A click: the feature carries the tooltip text, so st_folium's onLayerClick (a
    // listener added after this one) reads it from e.sourceTarget, as for GeoJSON layers.
    // onLayerClick also calls e.layer.toGeoJSON(), which throws on a tile feature (its
    // rings are tile pixels, not latlngs) and would stop it before it tells Streamlit:
    // the feature answers with its properties only.
    grid.on("click", function (e) {
      var feature = e.sourceTarget || e.layer;
      var props = feature && feature.properties;
      if (!props) { return; }
      feature._tooltip = L.tooltip().setContent(tooltipOf(spec, props));
      feature.toGeoJSON = function () {
        return { type: "Feature", properties: props, geometry: null };
      };
    });
    return grid;
  }

  global.atlas = Object.assign(global.atlas || {}, { tileLayer: tileLayer, tileHash: hash });
})(window);
