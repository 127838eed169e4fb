/* Atlas des coopérations territoriales — static export page (layers/site.py).
 * Reads data/config.json, draws each layer with atlas.geojsonLayer (atlas-layers.js), the
 * legend, and a table twin of the features on the map; one text filter drives both.
 * A layer of vector tiles ("type": "tiles", the communes) is drawn once with
 * atlas.tileLayer (atlas-tiles.js) from the export's own tiles: the text filter and the
 * table twin leave it out, and a note above the table says so.
 * No data ever goes through innerHTML: text is set with textContent, tooltips are escaped
 * by atlas-layers.js. Only same-origin files are fetched. */
(function () {
  "use strict";

  var state = { map: null, config: null, data: [], drawn: [], tiles: [] };

  function isTiles(spec) { return spec.type === "tiles"; }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text != null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function featuresOf(layer) {
    // A L.geoJSON or a markerClusterGroup: both list their features' layers.
    return layer.getLayers().filter(function (l) { return l.feature; });
  }

  function draw(text) {
    state.drawn.forEach(function (d) { state.map.removeLayer(d.layer); });
    state.drawn = [];
    state.config.layers.forEach(function (spec, i) {
      if (isTiles(spec)) { return; }
      var own = spec.name === "selection";
      var layer = atlas.geojsonLayer(Object.assign({}, spec, {
        url: null, data: state.data[i], text: own ? spec.text : (text || spec.text)
      }));
      layer.addTo(state.map);
      if (!own) {
        layer.on("click", function (e) { popup(spec, propsOf(e.layer), e.latlng); });
      }
      state.drawn.push({ spec: spec, layer: layer, own: own });
    });
    fillTable();
  }

  function show(entry, item) {
    var done = function () { if (item.openTooltip) { item.openTooltip(); } };
    if (entry.layer.zoomToShowLayer) {
      entry.layer.zoomToShowLayer(item, done);
    } else if (item.getBounds) {
      state.map.fitBounds(item.getBounds(), { maxZoom: 12 });
      done();
    } else {
      state.map.setView(item.getLatLng(), 12);
      done();
    }
    document.getElementById("carte").scrollIntoView({ block: "nearest" });
  }

  // A click on a feature: its name, its kind and, when the atlas's address is known, a
  // link to its fiche in a new tab. Text only (textContent), the id URL-encoded.
  function propsOf(item) { return (item && item.feature && item.feature.properties) || {}; }

  function popup(spec, props, latlng) {
    var box = el("div");
    box.appendChild(el("strong", props[spec.labelField] || "(sans nom)"));
    box.appendChild(el("div", spec.kindLabel));
    var prefix = (state.config.fiches || {})[spec.kindLabel];
    if (prefix && props[spec.idField] != null) {
      var a = el("a", "Ouvrir la fiche (nouvel onglet)");
      a.href = prefix + encodeURIComponent(String(props[spec.idField]));
      a.target = "_blank";
      a.rel = "noopener";
      box.appendChild(a);
    }
    L.popup().setLatLng(latlng).setContent(box).openOn(state.map);
  }

  // The wheel scrolls the host page; Ctrl + wheel zooms (Leaflet's wheel zoom is off).
  function ctrlWheelZoom(map) {
    map.getContainer().addEventListener("wheel", function (e) {
      if (!e.ctrlKey) { return; }
      e.preventDefault();
      map.setZoomAround(map.mouseEventToContainerPoint(e), map.getZoom() + (e.deltaY < 0 ? 1 : -1));
    }, { passive: false });
  }

  function fillTable() {
    var body = document.querySelector("#tableau tbody");
    var rows = document.createDocumentFragment();
    var count = 0;
    state.drawn.forEach(function (entry) {
      if (entry.own) { return; }
      var spec = entry.spec;
      var items = featuresOf(entry.layer);
      items.sort(function (a, b) {
        return String(a.feature.properties[spec.labelField] || "")
          .localeCompare(String(b.feature.properties[spec.labelField] || ""), "fr");
      });
      items.forEach(function (item) {
        var props = item.feature.properties || {};
        var tr = el("tr");
        tr.dataset.layer = spec.name;
        var th = el("th");
        th.scope = "row";
        var button = el("button", props[spec.labelField] || "(sans nom)");
        button.type = "button";
        button.title = "Centrer la carte sur cet élément";
        button.addEventListener("click", function () { show(entry, item); });
        th.appendChild(button);
        tr.appendChild(th);
        tr.appendChild(el("td", spec.kindLabel));
        tr.appendChild(el("td", props.commune || ""));
        tr.appendChild(el("td", props.programme || ""));
        rows.appendChild(tr);
        count += 1;
      });
    });
    body.replaceChildren(rows);
    // Only tile layers (the communes, which the table does not list): "0 élément affiché"
    // beside a map full of communes would be wrong; the note above the table says why.
    var none = state.tiles.length ? "Aucun élément listé dans ce tableau" : "Aucun élément affiché";
    document.getElementById("compte").textContent = count === 0 ? none :
      count + (count > 1 ? " éléments affichés" : " élément affiché");
  }

  function legend(entries) {
    var list = document.getElementById("legende-liste");
    entries.forEach(function (entry) {
      var li = el("li");
      var swatch = el("span", null, "swatch " + (entry.shape === "point" ? "point" : "area"));
      swatch.setAttribute("aria-hidden", "true");
      // CSSOM: allowed by the page's CSP. "One colour per EPCI" is a gradient.
      if (/gradient\(/.test(entry.color)) {
        swatch.style.background = entry.color;
      } else {
        swatch.style.backgroundColor = entry.color;
      }
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(entry.label));
      list.appendChild(li);
    });
  }

  function footer(config) {
    document.getElementById("attribution").textContent = config.attribution;
    if (/^https?:\/\//.test(config.atlasUrl || "")) {
      var a = el("a", "Ouvrir l'atlas complet");
      a.href = config.atlasUrl;
      a.rel = "noopener";
      a.target = "_blank";
      document.getElementById("lien-atlas").appendChild(a);
      var statement = el("a", "Accessibilité : déclaration");
      statement.href = config.atlasUrl.split("?")[0].replace(/\/*$/, "/") + "accessibilite";
      statement.rel = "noopener";
      statement.target = "_blank";
      document.getElementById("lien-atlas").append(" · ", statement);
    }
  }

  // Tile layers: drawn once, under the GeoJSON layers; a click on a feature (its
  // properties, given by atlas-tiles.js's handler) opens the same popup as the others.
  function drawTiles(config) {
    config.layers.filter(isTiles).forEach(function (spec) {
      var grid = atlas.tileLayer(spec);
      grid.on("click", function (e) {
        var feature = e.sourceTarget || e.layer;
        if (feature && feature.properties) { popup(spec, feature.properties, e.latlng); }
      });
      grid.addTo(state.map);
      state.tiles.push({ spec: spec, layer: grid });
    });
    if (config.notListed) {
      var note = el("p", config.notListed, "non-liste");
      note.id = "non-liste";
      var table = document.querySelector(".tableau");
      table.parentNode.insertBefore(note, table);
    }
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function start(config) {
    state.config = config;
    state.map = L.map("carte", {
      zoomSnap: 0.25, maxZoom: 18, preferCanvas: false, scrollWheelZoom: false
    });
    ctrlWheelZoom(state.map);
    state.map.attributionControl.setPrefix(false);
    // Chromium makes every shape with a tooltip a tab stop (thousands of EPCI before the
    // table); the table twin is the keyboard's way in, its buttons show a feature's tooltip.
    state.map.on("layeradd", function (e) {
      var node = e.layer.getElement ? e.layer.getElement() : null;
      if (node && node.tagName.toLowerCase() === "path") { node.setAttribute("tabindex", "-1"); }
    });
    atlas.fitView(state.map, config.bounds);
    if (config.overseas) { atlas.overseasControl(config.overseas).addTo(state.map); }
    legend(config.legend);
    footer(config);
    drawTiles(config);
    return Promise.all(config.layers.map(function (spec) {
      return isTiles(spec) ? null : atlas.loadJson(spec.url);  // .geojson.gz, decompressed
    }))
      .then(function (data) {
        state.data = data;
        var input = document.getElementById("filtre");
        draw(input.value.trim());
        input.addEventListener("input", debounce(function () { draw(input.value.trim()); }, 200));
        document.body.dataset.ready = "1";
      });
  }

  function fail(err) {
    document.getElementById("compte").textContent = "La carte n'a pas pu être chargée : " + err.message;
    console.error(err);
  }

  // Exposed for tests and for a host page's script (read-only use).
  window.atlasEmbed = state;
  document.addEventListener("DOMContentLoaded", function () {
    atlas.loadJson("data/config.json").then(start).catch(fail);
  });
})();
