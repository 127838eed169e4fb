/* Atlas des coopérations territoriales: vector tile layers drawn on canvas from a spec
 * built in Python (layers/tiles.py). Tiles come from the app itself (spec.url); only tiles
 * inside the tile set's ranges are requested, so the browser never asks for a tile that
 * does not exist. Every text is escaped before it reaches the DOM (atlas.escapeHtml,
 * atlas-layers.js).
 *
 * The renderer is ours, on Leaflet's GridLayer: a tile is decoded once (Mapbox Vector
 * Tile 2.1, protobuf read by Pbf, vendored from npm) into one Path2D per feature, in the
 * tile's own units, and each canvas tile draws those paths through one transform. No
 * Leaflet object per feature (leaflet.vectorgrid built one per polygon: 35,000 for the
 * national commune layer, about a second of the browser's time after the last tile).
 * Hover and click find the feature under the mouse in the decoded tile (bounding box,
 * then the canvas's own point-in-path test) and fire Leaflet events carrying it, with the
 * same shape as a GeoJSON layer's (properties, tooltip, toGeoJSON). */
(function (global) {
  "use strict";

  // ---- Decoding (MVT 2.1: https://github.com/mapbox/vector-tile-spec/tree/master/2.1) ----

  // A tile's layer holds a table of keys and one of values; each feature lists (key,
  // value) index pairs. Most of a commune tile's bytes are those values (names, codes,
  // figures: 23,000 communes in the national view's largest tile), and a draw reads two
  // or three of them: values are read when first asked for, properties built only for
  // the feature under the mouse.
  function Layer(pbf) {
    this.pbf = pbf;
    this.name = "";
    this.extent = 4096;
    this.names = [];  // key index -> key
    this.keys = {};  // key -> its index
    this.valueAt = [];  // value index -> position of the value's message
    this.values = [];  // value index -> value, once read
    this.tags = [];  // every feature's (key, value) index pairs, one after the other
  }

  Layer.prototype.value = function (i) {
    if (i in this.values) { return this.values[i]; }
    var pbf = this.pbf, keep = pbf.pos, value = null;
    pbf.pos = this.valueAt[i];
    var end = pbf.readVarint() + pbf.pos;
    while (pbf.pos < end) {
      var field = pbf.readVarint(), tag = field >> 3;
      value = tag === 1 ? pbf.readString()
        : tag === 2 ? pbf.readFloat()
        : tag === 3 ? pbf.readDouble()
        : tag === 4 ? pbf.readVarint64()
        : tag === 5 ? pbf.readVarint()
        : tag === 6 ? pbf.readSVarint()
        : tag === 7 ? pbf.readBoolean()
        : (pbf.skip(field), null);
    }
    pbf.pos = keep;
    this.values[i] = value;
    return value;
  };

  // One feature: geometry type, a Path2D in tile units, its bounding box, and its tags
  // (tags[from, to) of its layer).
  function TileFeature(layer, from, to, type, path, box) {
    this.layer = layer;
    this.from = from;
    this.to = to;
    this.type = type;
    this.path = path;
    this.box = box;
  }

  // The value of property `key`, or undefined.
  TileFeature.prototype.get = function (key) {
    var k = this.layer.keys[key], tags = this.layer.tags;
    if (k === undefined) { return undefined; }
    for (var i = this.from; i < this.to; i += 2) {
      if (tags[i] === k) { return this.layer.value(tags[i + 1]); }
    }
    return undefined;
  };

  // Every property, as an object (built when first asked for).
  Object.defineProperty(TileFeature.prototype, "properties", {
    get: function () {
      if (!this._properties) {
        var out = {}, tags = this.layer.tags, names = this.layer.names;
        for (var i = this.from; i < this.to; i += 2) {
          out[names[tags[i]]] = this.layer.value(tags[i + 1]);
        }
        this._properties = out;
      }
      return this._properties;
    }
  });

  function readFeature(pbf, end, layer) {
    var type = 0, geometry = -1, from = layer.tags.length;
    while (pbf.pos < end) {
      var field = pbf.readVarint(), tag = field >> 3;
      if (tag === 2) {
        var stop = pbf.readVarint() + pbf.pos;
        while (pbf.pos < stop) { layer.tags.push(pbf.readVarint()); }
      } else if (tag === 3) {
        type = pbf.readVarint();
      } else if (tag === 4) {
        geometry = pbf.pos;
        pbf.pos = pbf.readVarint() + pbf.pos;
      } else {
        pbf.skip(field);
      }
    }
    if (geometry < 0) { return null; }
    var to = layer.tags.length;
    pbf.pos = geometry;
    var path = new Path2D(), box = [Infinity, Infinity, -Infinity, -Infinity];
    var stopAt = pbf.readVarint() + pbf.pos, cmd = 1, length = 0, x = 0, y = 0;
    while (pbf.pos < stopAt) {
      if (length <= 0) {
        var command = pbf.readVarint();
        cmd = command & 7;
        length = command >> 3;
      }
      length--;
      if (cmd === 1 || cmd === 2) {
        x += pbf.readSVarint();
        y += pbf.readSVarint();
        if (cmd === 1) { path.moveTo(x, y); } else { path.lineTo(x, y); }
        if (x < box[0]) { box[0] = x; }
        if (y < box[1]) { box[1] = y; }
        if (x > box[2]) { box[2] = x; }
        if (y > box[3]) { box[3] = y; }
      } else if (cmd === 7) {
        path.closePath();
      } else {
        throw new Error("vector tile: unknown geometry command " + cmd);
      }
    }
    pbf.pos = end;
    return new TileFeature(layer, from, to, type, path, box);
  }

  // The layer `name` of a tile: {extent, features}; a tile without it: no feature.
  function decodeTile(bytes, name) {
    var pbf = new global.Pbf(bytes), found = { extent: 4096, features: [] };
    while (pbf.pos < pbf.length) {
      var field = pbf.readVarint();
      if (field >> 3 !== 3) { pbf.skip(field); continue; }
      var end = pbf.readVarint() + pbf.pos;
      var layer = new Layer(pbf), at = [];
      while (pbf.pos < end) {
        var f = pbf.readVarint(), tag = f >> 3;
        if (tag === 1) { layer.name = pbf.readString(); }
        else if (tag === 5) { layer.extent = pbf.readVarint(); }
        else if (tag === 3) {
          var key = pbf.readString();
          layer.keys[key] = layer.names.length;
          layer.names.push(key);
        } else if (tag === 4) {
          layer.valueAt.push(pbf.pos);
          pbf.pos = pbf.readVarint() + pbf.pos;
        } else if (tag === 2) {
          var size = pbf.readVarint();
          at.push(pbf.pos, pbf.pos + size);
          pbf.pos += size;
        } else { pbf.skip(f); }
      }
      if (layer.name !== name) { continue; }
      found.extent = layer.extent;
      for (var i = 0; i < at.length; i += 2) {
        pbf.pos = at[i];
        var feature = readFeature(pbf, at[i + 1], layer);
        if (feature) { found.features.push(feature); }
      }
      pbf.pos = end;
    }
    return found;
  }

  // ---- Fetching: gzip files, decoded once for every layer drawing them ----

  // Tiles are gzip-compressed files (tileset.json "compression"), sent as they are by the
  // app's static serving or any static web server (no Content-Encoding): the browser
  // decompresses them (DecompressionStream, as PMTiles readers do). An empty tile is a
  // 0-byte file. A layer drawn again (a filter changed) finds its tiles decoded here.
  var decoded = {}, order = [], KEEP = 128;

  function tileUrl(spec, c) {
    return spec.url.replace("{z}", c.z).replace("{x}", c.x).replace("{y}", c.y);
  }

  // The bytes of a tile.
  function fetchBytes(url) {
    return global.fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
      return response.arrayBuffer();
    });
  }

  // The decoded tile at `url`: {tile (once decoded), promise}, kept for the next draws.
  function load(spec, url) {
    if (!decoded[url]) {
      var entry = { tile: null };
      entry.promise = fetchBytes(url)
        .then(function (buffer) {
          // atlas-layers.js's gunzip: also reads a tile the server sent already decoded
          return spec.compression === "gzip" ? global.atlas.gunzip(buffer) : new Uint8Array(buffer);
        })
        .then(function (bytes) {
          entry.tile = decodeTile(bytes, spec.name);
          return entry.tile;
        });
      entry.promise.catch(function () { delete decoded[url]; });  // asked again next time
      decoded[url] = entry;
      order.push(url);
      if (order.length > KEEP) { delete decoded[order.shift()]; }
    }
    return decoded[url];
  }

  // ---- Style: what each feature looks like under the spec ----

  // The fill of tile feature `feat` (its values read with feat.get).
  function fillOf(spec, feat) {
    var c = spec.coloring || {};
    var value = feat.get(c.by);
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
    if (c.palette) {  // a colour index of the tiles (epci_c…: neighbours differ), -1: none
      var i = Number(value);
      return i >= 0 && i < c.palette.length ? c.palette[i] : spec.none;
    }
    return spec.none;
  }

  // Every filter must hold: the property (or one id of a ";" list: Pays, TI) is allowed.
  function kept(spec, feat) {
    var filters = spec.filters || {};
    for (var field in filters) {
      var allowed = filters[field], value = feat.get(field);
      var values = String(value == null ? "" : value).split(";");
      if (!values.some(function (v) { return allowed.indexOf(v) !== -1; })) { return false; }
    }
    return true;
  }

  function highlighted(spec, feat) {
    return spec.highlight != null && String(feat.get(spec.idField)) === spec.highlight;
  }

  function tooltipOf(spec, props) {
    return atlas.escapeHtml(props[spec.labelField] + " — " + spec.kindLabel + " " +
                            props[spec.idField]);
  }

  // ---- Tile coordinates ----

  // Tiles of spec.tileSize pixels (512) draw the native tile one zoom up: the tile (x, y)
  // of display zoom z is the native tile (x, y) of zoom z - 1 (256-pixel tiles: z itself).
  function zoomOffset(spec) { return Math.round(Math.log2((spec.tileSize || 256) / 256)); }

  function dataOf(spec, coords) {
    return { x: coords.x, y: coords.y, z: coords.z - zoomOffset(spec) };
  }

  // The tile of the deepest native zoom holding `c` (itself up to that zoom). Past that
  // zoom, a tile is cut from its ancestor's vector data and drawn at full resolution
  // (scaling a bitmap up would blur the borders).
  function nativeOf(spec, c) {
    var dz = c.z - spec.maxNativeZoom;
    if (dz <= 0) { return c; }
    var f = Math.pow(2, dz);
    return { x: Math.floor(c.x / f), y: Math.floor(c.y / f), z: spec.maxNativeZoom };
  }

  function inRanges(spec, display) {
    var c = nativeOf(spec, dataOf(spec, display));
    var ranges = spec.ranges[String(c.z)] || [];
    for (var i = 0; i < ranges.length; i++) {
      var r = ranges[i];
      if (c.x >= r[0] && c.x <= r[1] && c.y >= r[2] && c.y <= r[3]) { return true; }
    }
    return false;
  }

  // ---- Drawing ----

  // Draw a decoded native tile `tile` on the canvas of display tile `coords`: every kept
  // feature filled (one colour at a time: the communes of a coverage do not overlap),
  // then stroked, then the highlighted one outlined on top.
  function draw(canvas, spec, tile, coords, size, ratio) {
    var data = dataOf(spec, coords), parent = nativeOf(spec, data);
    var f = Math.pow(2, data.z - parent.z), ext = tile.extent;
    var x0 = (data.x - parent.x * f) * ext / f, y0 = (data.y - parent.y * f) * ext / f;
    var x1 = x0 + ext / f, y1 = y0 + ext / f;
    var scale = size / ext * f;  // CSS pixels per tile unit
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio * scale, 0, 0, ratio * scale, -ratio * scale * x0, -ratio * scale * y0);
    var style = spec.style || {};
    var weight = (style.weight == null ? 1 : style.weight) * (coords.z < 7 ? 0.5 : 1);
    var shown = [], top = [], byFill = {};
    tile.features.forEach(function (feat) {
      var b = feat.box;
      if (b[2] < x0 || b[0] > x1 || b[3] < y0 || b[1] > y1) { return; }
      if (!kept(spec, feat)) { return; }
      shown.push(feat);
      if (feat.type === 3) {
        var fill = fillOf(spec, feat);
        (byFill[fill] = byFill[fill] || []).push(feat.path);
      }
      if (highlighted(spec, feat)) { top.push(feat); }
    });
    ctx.globalAlpha = style.fillOpacity == null ? 0.2 : style.fillOpacity;
    Object.keys(byFill).forEach(function (fill) {
      ctx.fillStyle = fill;
      byFill[fill].forEach(function (path) { ctx.fill(path); });
    });
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    if (weight > 0) {
      ctx.globalAlpha = style.opacity == null ? 1 : style.opacity;
      ctx.strokeStyle = style.color || "#3388ff";
      ctx.lineWidth = weight / scale;
      shown.forEach(function (feat) { ctx.stroke(feat.path); });
    }
    ctx.globalAlpha = 1;
    ctx.strokeStyle = "#000000";
    ctx.lineWidth = 4 / scale;
    top.forEach(function (feat) { ctx.stroke(feat.path); });
  }

  // The properties of the feature drawn at (x, y), in units of the decoded `tile`, or null.
  function hitTest(spec, tile, x, y) {
    probe = probe || pixel().getContext("2d");
    var features = tile.features;
    for (var i = features.length - 1; i >= 0; i--) {  // the last drawn is on top
      var feat = features[i], b = feat.box;
      if (feat.type !== 3 || x < b[0] || x > b[2] || y < b[1] || y > b[3]) { continue; }
      if (kept(spec, feat) && probe.isPointInPath(feat.path, x, y)) {
        return feat.properties;
      }
    }
    return null;
  }
  var probe = null;  // a 1 × 1 canvas's context: it tests points against paths

  function pixel() {
    var canvas = global.document.createElement("canvas");
    canvas.width = canvas.height = 1;
    return canvas;
  }

  // ---- The Leaflet layer ----

  // What a click or the mouse found: shaped like a GeoJSON layer's feature, so st_folium's
  // click handler (properties, tooltip; it also asks for toGeoJSON, and a tile feature's
  // rings are tile units, not coordinates) and the export's popups read it the same way.
  function ClickedFeature(spec, props) {
    this.properties = props;
    this._tooltip = L.tooltip().setContent(tooltipOf(spec, props));
  }
  ClickedFeature.prototype.getTooltip = function () { return this._tooltip; };
  ClickedFeature.prototype.toGeoJSON = function () {
    return { type: "Feature", properties: this.properties, geometry: null };
  };

  // A mouse event of the map that another layer (a GeoJSON path, a marker) answered.
  function onOtherLayer(e) {
    var target = e.originalEvent && e.originalEvent.target;
    return !!(target && target.classList && target.classList.contains("leaflet-interactive"));
  }

  // Tiles drawn on the page's thread. (Drawing in two workers with OffscreenCanvas was
  // measured on this project's 2-core machine: 0.06 s faster in the app, 0.2 s slower in a
  // static export; not kept.)
  // (Methods and fields of our own are named apart from GridLayer's: it has an _onMove,
  // for instance, which the map calls on every move.)
  var TileGrid = L.GridLayer.extend({
    initialize: function (spec) {
      this.spec = spec;
      this._atlasTiles = true;  // layers/site.py FichePopups hooks such layers
      this._placed = false;
      // One tooltip for the whole layer, following the mouse.
      this._mouseTip = L.tooltip({
        sticky: true, direction: "auto", className: "atlas-tiles-tooltip"
      });
      this._pending = null;  // the last mouse move not looked at yet
      L.GridLayer.prototype.initialize.call(this, {
        tileSize: spec.tileSize || 256,
        // below: the tiles of the coarsest native zoom, made smaller
        minNativeZoom: spec.minNativeZoom + zoomOffset(spec),
        zIndex: 2  // above a basemap, below every GeoJSON layer (overlay pane)
      });
      this.on("loading", function () { this._mark(false); }, this);
      this.on("load", function () { this._mark(true); }, this);
    },

    onAdd: function (map) {
      L.GridLayer.prototype.onAdd.call(this, map);
      var box = this.getContainer();
      L.DomUtil.addClass(box, "atlas-tiles");
      L.DomUtil.addClass(box, "atlas-tiles-" + this.spec.name);
      this._mark(false);
      map.on("mousemove", this._onMapMouseMove, this).on("mouseout", this._onMapMouseOut, this)
        .on("click", this._onMapClick, this);
      // The map's script adds the layers, then fits the view: tiles are asked for once
      // the view is placed (next task), not for the map's first view (a whole world).
      var self = this;
      setTimeout(function () {
        self._placed = true;
        if (self._map) { self._resetView(); self._mark(!self.isLoading()); }
      }, 0);
    },

    onRemove: function (map) {
      map.off("mousemove", this._onMapMouseMove, this).off("mouseout", this._onMapMouseOut, this)
        .off("click", this._onMapClick, this);
      this._onMapMouseOut();
      return L.GridLayer.prototype.onRemove.call(this, map);
    },

    _update: function (center) {
      if (this._placed) { return L.GridLayer.prototype._update.call(this, center); }
    },

    // data-loaded="1" on the container once every visible tile is drawn (tests, bench).
    _mark: function (loaded) {
      var box = this.getContainer();
      if (box) { box.setAttribute("data-loaded", loaded ? "1" : "0"); }
    },

    _isValidTile: function (coords) {
      return L.GridLayer.prototype._isValidTile.call(this, coords) && inRanges(this.spec, coords);
    },

    createTile: function (coords, done) {
      var canvas = L.DomUtil.create("canvas", "leaflet-tile");
      var size = this.getTileSize(), ratio = global.devicePixelRatio || 1;
      canvas.width = size.x * ratio;
      canvas.height = size.y * ratio;
      var spec = this.spec, at = { x: coords.x, y: coords.y, z: coords.z };
      load(spec, tileUrl(spec, nativeOf(spec, dataOf(spec, at)))).promise.then(function (tile) {
        draw(canvas, spec, tile, at, size.x, ratio);
        done(null, canvas);
      }, function (error) { done(error, canvas); });
      return canvas;
    },

    // The feature drawn at `latlng` on the tiles of the zoom shown, or null.
    featureAt: function (latlng) {
      if (!this._map || this._tileZoom === undefined) { return null; }
      var spec = this.spec;
      var c = nativeOf(spec, dataOf(spec, { x: 0, y: 0, z: this._tileZoom }));
      var point = this._map.project(latlng, c.z);
      var n = { x: Math.floor(point.x / 256), y: Math.floor(point.y / 256), z: c.z };
      var entry = decoded[tileUrl(spec, n)], tile = entry && entry.tile;
      if (!tile) { return null; }
      var props = hitTest(spec, tile, (point.x / 256 - n.x) * tile.extent,
                          (point.y / 256 - n.y) * tile.extent);
      return props ? new ClickedFeature(spec, props) : null;
    },

    // The mouse: one look per animation frame, at its last position.
    _onMapMouseMove: function (e) {
      if (this._pending === null) { global.requestAnimationFrame(L.bind(this._hover, this)); }
      this._pending = e;
    },

    _hover: function () {
      var e = this._pending, map = this._map;
      this._pending = null;
      if (!map || !e) { return; }
      var over = !onOtherLayer(e) && !(map.dragging && map.dragging.moving());
      var feature = over ? this.featureAt(e.latlng) : null;
      map.getContainer().style.cursor = feature ? "pointer" : "";
      if (!feature) {
        map.removeLayer(this._mouseTip);
        return;
      }
      this._mouseTip.setContent(feature.getTooltip().getContent()).setLatLng(e.latlng);
      if (!map.hasLayer(this._mouseTip)) { this._mouseTip.addTo(map); }
    },

    _onMapMouseOut: function () {
      this._pending = null;
      if (this._map) {
        this._map.removeLayer(this._mouseTip);
        this._map.getContainer().style.cursor = "";
      }
    },

    // A click fires the layer's "click" with the feature as e.layer and e.sourceTarget,
    // as a GeoJSON layer does.
    _onMapClick: function (e) {
      if (onOtherLayer(e)) { return; }
      var feature = this.featureAt(e.latlng);
      if (!feature) { return; }
      this.fire("click", {
        latlng: e.latlng, layerPoint: e.layerPoint, containerPoint: e.containerPoint,
        originalEvent: e.originalEvent, layer: feature, sourceTarget: feature
      });
    }
  });

  function tileLayer(spec) { return new TileGrid(spec); }

  global.atlas = Object.assign(global.atlas || {}, {
    tileLayer: tileLayer, decodeTile: decodeTile
  });
})(window);
