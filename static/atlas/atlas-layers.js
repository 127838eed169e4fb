/* Atlas des coopérations territoriales: GeoJSON layers drawn from a spec built in Python
 * (layers/geojson.py), the initial fit of the view and the overseas quick-zoom buttons.
 * Data comes inline or from a URL the browser caches; every text is escaped before it
 * reaches the DOM. No network access other than spec.url. */
(function (global) {
  "use strict";

  function escapeHtml(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function styleOf(spec, feature) {
    var isArea = feature.geometry && feature.geometry.type !== "Point";
    var style = Object.assign({}, isArea && spec.areaStyle ? spec.areaStyle : spec.style);
    var props = feature.properties || {};
    if (spec.colorBy && spec.colors) {
      var color = spec.colors[props[spec.colorBy]];
      if (color) { style.color = color; style.fillColor = color; }
    }
    if (spec.highlight && props[spec.idField] === spec.highlight) {
      Object.assign(style, spec.highlightStyle || { weight: 4, color: "#000000" });
    }
    return style;
  }

  function normalise(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function keep(spec, feature) {
    var props = feature.properties || {};
    var filters = spec.filters || {};
    for (var field in filters) {
      var allowed = filters[field];
      var value = props[field];
      var values = typeof value === "string" ? value.split(";") : [value];
      if (!values.some(function (v) { return allowed.indexOf(v) !== -1; })) { return false; }
    }
    if (spec.text) {
      var hay = normalise((spec.textFields || [spec.labelField]).map(function (f) {
        return props[f];
      }).join(" "));
      if (hay.indexOf(normalise(spec.text)) === -1) { return false; }
    }
    return true;
  }

  function tooltipOf(spec, feature) {
    var props = feature.properties || {};
    return escapeHtml(props[spec.labelField] + " — " + spec.kindLabel + " " + props[spec.idField]);
  }

  // A cluster drawn in its layer's colour, so the legend still tells the layers apart.
  function clusterIcon(spec, cluster) {
    var n = cluster.getChildCount();
    var size = n < 10 ? 26 : n < 100 ? 32 : 38;
    var colour = (spec.style && (spec.style.fillColor || spec.style.color)) || "#555";
    var html = '<div class="atlas-cluster" style="background:' + escapeHtml(colour) +
      ';width:' + size + 'px;height:' + size + 'px;line-height:' + size + 'px">' + n + '</div>';
    return L.divIcon({ html: html, className: "atlas-cluster-icon", iconSize: [size, size],
                       iconAnchor: [size / 2, size / 2] });
  }

  function geojsonLayer(spec) {
    var inner = L.geoJSON(null, {
      style: function (f) { return styleOf(spec, f); },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, styleOf(spec, f)); },
      filter: function (f) { return keep(spec, f); },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(tooltipOf(spec, f), { sticky: spec.geometry !== "point" });
      }
    });
    var outer = spec.cluster && L.markerClusterGroup
      ? L.markerClusterGroup({
          showCoverageOnHover: false, maxClusterRadius: 40,
          iconCreateFunction: function (cluster) { return clusterIcon(spec, cluster); }
        })
      : inner;
    function add(data) {
      inner.addData(data);
      if (outer !== inner) { outer.addLayer(inner); }
      outer.fire("atlas:loaded", { count: inner.getLayers().length });
    }
    if (spec.data) {
      add(spec.data);
    } else {
      loadJson(spec.url)
        .then(add)
        .catch(function (err) { console.error("atlas layer " + spec.name + ": " + err); });
    }
    return outer;
  }

  // Data files are content-addressed: a map redrawn in place (a filter changed) reads the
  // features it already parsed instead of fetching and parsing megabytes again.
  var parsed = {}, parsedOrder = [];
  function loadJson(url) {
    if (!parsed[url]) {
      parsed[url] = fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) { throw new Error(url + ": HTTP " + r.status); }
        if (!/\.gz$/.test(url)) { return r.json(); }
        // a gzip file (layers/geojson.py StaticFiles, the static export): decompressed here
        return r.arrayBuffer().then(gunzip).then(function (bytes) {
          return JSON.parse(new TextDecoder().decode(bytes));
        });
      });
      parsed[url].catch(function () { delete parsed[url]; });  // a failure is not kept
      parsedOrder.push(url);
      if (parsedOrder.length > 12) { delete parsed[parsedOrder.shift()]; }
    }
    return parsed[url];
  }

  // The bytes of a `.gz` file, decompressed. Servers send such files as they are
  // (application/gzip), but one configured to label them `Content-Encoding: gzip` has the
  // browser decompress them already: gzip's magic number (1f 8b) tells which; an empty
  // buffer (an empty vector tile) stays empty. Resolves to a Uint8Array.
  function gunzip(buffer) {
    var bytes = new Uint8Array(buffer);
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      return Promise.resolve(bytes);
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }

  // Fit the map on `bounds` with a margin, and again when the map's frame is resized
  // (Streamlit sizes its iframe after the first fit) unless the reader has moved the map.
  // Without animation: Leaflet ignores a new view while a zoom animation runs (a refit on
  // resize, then the fit of a new selection, would leave the map on the first).
  function fitView(map, bounds, options) {
    var opts = Object.assign({ padding: [24, 24], maxZoom: 12 }, options || {}, { animate: false });
    var target = L.latLngBounds(bounds);
    var fitted = null;
    function fit() {
      if (map._animatingZoom) { map.once("zoomend", fit); return; }  // the reader's zoom
      map.fitBounds(target, opts);
      fitted = { center: map.getCenter(), zoom: map.getZoom() };
    }
    fit();
    // One handler per map: a map redrawn in place fits its latest bounds only.
    if (map._atlasRefit) { map.off("resize", map._atlasRefit); }
    // "Not moved by the reader": same zoom, same centre within 2 pixels (a resize pans the
    // map by whole pixels to keep its centre: the map redrawn in place when the side panel
    // opens narrows its frame right after the fit).
    map._atlasRefit = function () {
      var still = fitted && map.getZoom() === fitted.zoom &&
        map.project(map.getCenter()).distanceTo(map.project(fitted.center)) < 2;
      if (still) { fit(); }
    };
    map.on("resize", map._atlasRefit);
    return map;
  }

  // The legend of a map redrawn in place (layers/legend.py LiveLegend): `html` is built and
  // escaped in Python. The reader's choice to fold it is kept across redraws.
  function setLegend(map, html, narrow) {
    var box = map._atlasLegend;
    var old = box && box.querySelector("details.atlas-legend");
    var folded = old ? !old.open : window.matchMedia("(max-width: " + narrow + "px)").matches;
    if (!box) {
      box = map._atlasLegend = document.createElement("div");
      document.body.appendChild(box);
    }
    box.innerHTML = html;
    var details = box.querySelector("details.atlas-legend");
    if (details && folded) { details.open = false; }
  }

  // Called last by a map's overlay (layers/compose.py): counts the redraws of a map drawn
  // in place, which a browser test can wait for.
  function overlayDrawn(map) {
    map._atlasDraws = (map._atlasDraws || 0) + 1;
    map.getContainer().setAttribute("data-atlas-draws", String(map._atlasDraws));
  }

  // Quick-zoom buttons to metropolitan France and the five DROM (layers/overseas.py):
  // `places` is a list of {label, bounds}; real buttons, so the keyboard reaches them.
  function overseasControl(places) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function (map) {
      var box = L.DomUtil.create("div", "leaflet-bar atlas-overseas");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Aller à la métropole ou à un département d'outre-mer");
      box.style.background = "#fff";
      places.forEach(function (place) {
        var button = L.DomUtil.create("button", "atlas-overseas-button", box);
        button.type = "button";
        button.textContent = place.label;
        button.title = "Centrer la carte sur : " + place.label;
        var s = button.style;
        s.display = "block"; s.width = "100%"; s.textAlign = "left"; s.cursor = "pointer";
        s.border = "0"; s.borderBottom = "1px solid #ccc"; s.background = "#fff";
        s.padding = "2px 6px"; s.font = "12px/1.4 sans-serif"; s.color = "#222";
        L.DomEvent.on(button, "click", function () {
          map.fitBounds(L.latLngBounds(place.bounds), { padding: [12, 12] });
        });
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  global.atlas = {
    geojsonLayer: geojsonLayer, escapeHtml: escapeHtml, fitView: fitView,
    loadJson: loadJson, gunzip: gunzip,
    overseasControl: overseasControl, setLegend: setLegend, overlayDrawn: overlayDrawn
  };
})(window);
