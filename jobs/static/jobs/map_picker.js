/* The job bureau's map picker (docs/jobs.md, "Coordinates"): a map beside a pair of latitude
   and longitude fields. Clicking or tapping the map, dragging the marker, or pressing Enter
   on the focused map (the marker goes to the middle) fills the fields; typing in the fields
   moves the marker. Progressive enhancement: the markup (jobs/_map_picker.html) is hidden
   until this script shows it, so without JavaScript, or without Leaflet, the form is the
   plain form. Everything it says comes translated from the markup's data attributes.
   Leaflet is django-leaflet's copy (leaflet/leaflet.js), loaded before this script. */
(function () {
  "use strict";

  var DIGITS = 6; // about 10 cm: more than a door needs

  function parse(text) {
    var value = text.trim().replace(",", ".");
    if (value === "" || !/^[-+]?\d+(\.\d*)?$/.test(value)) {
      return null;
    }
    return Number(value);
  }

  function setUp(box) {
    var data = box.dataset;
    var latField = document.getElementById(data.latField);
    var lonField = document.getElementById(data.lonField);
    if (!latField || !lonField || !window.L) {
      return;
    }
    var postcodeField = data.postcodeField ? document.getElementById(data.postcodeField) : null;
    var postcodes = JSON.parse(data.postcodes || "{}");
    var bureau = JSON.parse(data.centre);
    var element = box.querySelector(".map-picker-map");
    var status = box.querySelector(".map-picker-status");
    var offline = box.querySelector(".map-picker-offline");
    box.hidden = false;

    // No scroll-wheel zoom: scrolling the page over the map scrolls the page.
    var map = L.map(element, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: data.zoomIn, zoomOutTitle: data.zoomOut }).addTo(map);
    var tiles = L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution });
    var loaded = false;
    tiles.on("tileload", function () {
      loaded = true;
      offline.hidden = true;
    });
    tiles.on("tileerror", function () {
      if (!loaded) {
        offline.hidden = false;
      }
    });
    tiles.addTo(map);
    var radius = Number(data.radiusKm);
    if (radius > 0) {
      L.circle(bureau, {
        radius: radius * 1000,
        interactive: false,
        fill: false,
        weight: 2,
        dashArray: "6 6",
      }).addTo(map);
    }
    var icon = L.icon({
      iconUrl: data.icon,
      iconRetinaUrl: data.icon2x,
      shadowUrl: data.shadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      shadowSize: [41, 41],
    });
    var marker = null;

    function typed() {
      var lat = parse(latField.value);
      var lon = parse(lonField.value);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        return null;
      }
      return [lat, lon];
    }

    function postcodeCentre() {
      if (!postcodeField) {
        return null;
      }
      return postcodes[postcodeField.value.replace(/\s+/g, "").slice(0, 4)] || null;
    }

    function show(point) {
      if (marker) {
        marker.setLatLng(point);
        return;
      }
      // Not a tab stop of its own: the map is (Enter puts the marker in the middle).
      marker = L.marker(point, {
        icon: icon,
        draggable: true,
        keyboard: false,
        alt: data.markerLabel,
        title: data.markerLabel,
      }).addTo(map);
      marker.on("dragend", function () {
        pick(marker.getLatLng());
      });
    }

    function write(field, value) {
      field.value = value.toFixed(DIGITS).replace(".", data.decimal || ".");
    }

    function pick(latlng) {
      var point = latlng.wrap();
      write(latField, point.lat);
      write(lonField, point.lng);
      show([point.lat, point.lng]);
      status.textContent = data.picked
        .replace("LAT", latField.value)
        .replace("LON", lonField.value);
    }

    // The fields decide; the map follows them, at once (no animation to wait for or to
    // be bothered by).
    var now = { animate: false };
    function follow(first) {
      var point = typed();
      if (point) {
        show(point);
        map.setView(point, first ? 17 : Math.max(map.getZoom(), 16), now);
        return;
      }
      if (marker) {
        map.removeLayer(marker);
        marker = null;
      }
      var centre = postcodeCentre();
      if (centre) {
        map.setView(centre, 15, now);
      } else if (first) {
        map.setView(bureau, 12, now);
      }
    }

    map.on("click", function (event) {
      pick(event.latlng);
    });
    element.addEventListener("keydown", function (event) {
      if (event.target === element && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        pick(map.getCenter());
      }
    });
    var pending = null;
    function later() {
      window.clearTimeout(pending);
      pending = window.setTimeout(follow, 400);
    }
    [latField, lonField].concat(postcodeField ? [postcodeField] : []).forEach(function (f) {
      f.addEventListener("input", later);
      f.addEventListener("change", function () {
        window.clearTimeout(pending);
        follow(false);
      });
    });
    follow(true);
    box.mapPicker = { map: map, marker: function () { return marker; } };
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".map-picker[hidden]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
