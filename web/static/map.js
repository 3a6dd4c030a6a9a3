// The map: Leaflet with one canvas renderer (preferCanvas) so that 20,000 assets are pixels on one
// canvas, not 20,000 DOM nodes. Draw order on the canvas, bottom to top: municipalities, bundle
// outlines, assets, depots. Popups and tooltips get DOM nodes, never HTML strings.

import { t } from './i18n.js';

/* global L */

export const kindColours = {
  bridge: '#1f77b4', tunnel: '#8c564b', culvert: '#17becf', footbridge: '#9467bd',
  road_furniture: '#7f7f7f', sewer_plant: '#2ca02c', pump_station: '#bcbd22',
};
const otherKind = '#e377c2';

// bundleColour spreads hues by the golden angle so that neighbouring bundle numbers differ.
export function bundleColour(i) {
  const h = Math.round((i * 137.508) % 360);
  return `hsl(${h}, 70%, 42%)`;
}

// radiusFor sizes a point by the asset's length: a 2 m culvert and a 300 m viaduct must differ, but
// no point may hide its neighbours.
function radiusFor(p) {
  const len = Number(p.length_m);
  if (!Number.isFinite(len) || len <= 0) return 4;
  return Math.max(3, Math.min(11, 2.5 + Math.sqrt(len) * 0.6));
}

function lonLatOf(feature) {
  const g = feature && feature.geometry;
  if (!g || g.type !== 'Point') return null;
  return L.latLng(g.coordinates[1], g.coordinates[0]);
}

export class PlanMap {
  constructor(el, handlers) {
    this.handlers = handlers;
    this.map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, zoomControl: true, keyboard: true, attributionControl: true })
      .setView([34.45, 135.85], 9);
    this.renderer = L.canvas({ padding: 0.3, tolerance: 3 });
    this.map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="Leaflet">Leaflet</a>');
    this.map.attributionControl.addAttribution(t('credit.n03'));
    this.tiles = null;
    this.munis = new Map(); // code → {layer, props}
    this.assets = new Map(); // id → {layer, props}
    this.depots = new Map(); // id → {layer, props}
    this.outlines = new Map(); // bundle → layer
    this.assetBundle = new Map(); // asset id → bundle id
    this.bundleIndex = new Map(); // bundle id → index (colour)
    this.participation = new Map(); // code → bool
    this.highlighted = null; // bundle id
    this.marked = new Set(); // asset ids marked (compare)
    this.selected = new Set(); // asset ids selected for a move (moves.js)
    // styleHook(id, props, bundle, out), when set, may return an asset's style in place of the
    // bundle colours (the programme's year view, programme.js); null keeps the usual one.
    this.styleHook = null;
    this.muniGroup = L.layerGroup().addTo(this.map);
    this.outlineGroup = L.layerGroup().addTo(this.map);
    this.assetGroup = L.layerGroup().addTo(this.map);
    this.depotGroup = L.layerGroup().addTo(this.map);
    this.scale = this.radiusScale();
    this.map.on('zoomend', () => this.resizeAssets());
  }

  // radiusScale shrinks the points when zoomed out, where thousands of them share a few pixels.
  radiusScale() {
    const z = this.map.getZoom();
    if (z <= 9) return 0.4;
    if (z <= 10) return 0.55;
    if (z <= 11) return 0.75;
    return 1;
  }

  // resizeAssets runs on zoomend, before the canvas renderer re-projects every path for the new
  // zoom: setting the radius without setRadius() saves a second projection and redraw request of
  // each of 20,000 points; nothing happens while the scale stays the same.
  resizeAssets() {
    const k = this.radiusScale();
    if (k === this.scale) return;
    this.scale = k;
    for (const a of this.assets.values()) {
      const r = radiusFor(a.props) * k;
      a.layer.options.radius = r;
      a.layer._radius = r;
    }
  }

  setTiles(url, attribution) {
    if (this.tiles) { this.tiles.remove(); this.tiles = null; }
    if (!url) return;
    // Leaflet writes attributions as HTML: escape the server setting.
    const esc = document.createElement('span');
    esc.textContent = attribution || '';
    this.tiles = L.tileLayer(url, { maxZoom: 18, attribution: esc.innerHTML }).addTo(this.map);
    this.tiles.bringToBack();
  }

  // --- municipalities -------------------------------------------------------------------------
  setMunicipalities(fc) {
    this.muniGroup.clearLayers();
    this.munis.clear();
    let bounds = null;
    for (const f of fc.features || []) {
      const props = f.properties || {};
      if (!f.geometry || (f.geometry.type !== 'Polygon' && f.geometry.type !== 'MultiPolygon')) continue;
      const layer = L.geoJSON(f, { renderer: this.renderer, style: () => this.muniStyle(props.code, props) });
      layer.on('click', (e) => {
        L.DomEvent.stopPropagation(e);
        this.handlers.onMunicipality(props.code, e.latlng);
      });
      layer.bindTooltip(() => {
        const s = document.createElement('span');
        s.textContent = props.name || props.code;
        return s;
      }, { sticky: true, direction: 'top', opacity: 0.9 });
      this.muniGroup.addLayer(layer);
      this.munis.set(props.code, { layer, props });
      if (props.participates === false) this.participation.set(props.code, false);
      const b = layer.getBounds();
      bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    }
    if (bounds && bounds.isValid()) this.map.fitBounds(bounds, { padding: [10, 10] });
    this.order();
  }

  muniStyle(code, props) {
    const out = this.participation.has(code) ? this.participation.get(code) === false : props && props.participates === false;
    if (this.irFlags && this.irFlags.has(code)) {
      // Pays more in the plan than alone: the planner must see it on the map too.
      return { color: '#c0392b', weight: 3, fillColor: '#f5b7a8', fillOpacity: 0.35 };
    }
    return out
      ? { color: '#555', weight: 1, dashArray: '4 3', fillColor: '#999', fillOpacity: 0.35 }
      : { color: '#334', weight: 1, fillColor: '#dde7f0', fillOpacity: 0.25 };
  }

  // setIRFlags outlines in red the municipalities that break individual rationality.
  setIRFlags(codes) {
    this.irFlags = new Set(codes);
    for (const [code, m] of this.munis) m.layer.setStyle(this.muniStyle(code, m.props));
  }

  setParticipation(map) {
    this.participation = new Map(map);
    for (const [code, m] of this.munis) m.layer.setStyle(this.muniStyle(code, m.props));
    this.restyleAssets();
  }

  // --- assets and depots ----------------------------------------------------------------------
  setAssets(fc) {
    this.assetGroup.clearLayers();
    this.assets.clear();
    for (const f of fc.features || []) {
      const ll = lonLatOf(f);
      if (!ll) continue;
      const props = f.properties || {};
      const layer = L.circleMarker(ll, { renderer: this.renderer, radius: radiusFor(props) * this.scale, weight: 1 });
      layer.on('click', (e) => {
        L.DomEvent.stopPropagation(e);
        this.handlers.onAsset(props.id, ll);
      });
      this.assetGroup.addLayer(layer);
      this.assets.set(props.id, { layer, props, ll });
    }
    this.restyleAssets();
    this.order();
  }

  assetStyle(id, props) {
    const bundle = this.assetBundle.get(id);
    const out = this.participation.get(props.municipality) === false;
    const marked = this.marked.has(id);
    const hooked = this.styleHook ? this.styleHook(id, props, bundle, out) : null;
    if (hooked) return hooked;
    let style;
    if (bundle !== undefined && !out) {
      const dim = this.highlighted !== null && this.highlighted !== bundle;
      style = {
        color: marked ? '#000' : '#222', weight: marked ? 3 : 0.6,
        fillColor: bundleColour(this.bundleIndex.get(bundle) || 0),
        fillOpacity: dim ? 0.15 : 0.9, opacity: dim ? 0.2 : 0.9,
      };
    } else if (this.bundleIndex.size > 0) {
      // A plan is shown and this asset is not in it (not due this year, or not participating).
      style = {
        color: marked ? '#000' : '#888', weight: marked ? 3 : 0.5,
        fillColor: out ? '#bbb' : '#aaa', fillOpacity: 0.25, opacity: 0.35,
      };
    } else {
      style = {
        color: marked ? '#000' : (kindColours[props.kind] || otherKind), weight: marked ? 3 : 1,
        fillColor: out ? '#bbb' : (kindColours[props.kind] || otherKind),
        fillOpacity: out ? 0.4 : 0.7, opacity: out ? 0.5 : 0.9,
      };
    }
    return style;
  }

  restyleAssets() {
    for (const [id, a] of this.assets) {
      const style = this.assetStyle(id, a.props);
      // A selected asset keeps its fill and gets a thick magenta ring (moves.js); a copy, as a
      // style hook may hand out one object for many assets.
      a.layer.setStyle(this.selected.has(id) ? { ...style, color: '#e6007e', weight: 3, opacity: 1 } : style);
    }
  }

  setSelected(ids) {
    this.selected = new Set(ids);
    this.restyleAssets();
  }

  setDepots(fc) {
    this.depotGroup.clearLayers();
    this.depots.clear();
    for (const f of fc.features || []) {
      const ll = lonLatOf(f);
      if (!ll) continue;
      const props = f.properties || {};
      const layer = L.circleMarker(ll, {
        renderer: this.renderer, radius: 6, weight: 2, color: '#000', fillColor: '#fff', fillOpacity: 1,
      });
      layer.on('click', (e) => {
        L.DomEvent.stopPropagation(e);
        this.handlers.onDepot(props.id, ll);
      });
      this.depotGroup.addLayer(layer);
      this.depots.set(props.id, { layer, props, ll });
    }
    this.restyleDepots();
    this.order();
  }

  restyleDepots() {
    const used = new Map();
    for (const [bundle, o] of this.outlines) if (o.depot) used.set(o.depot, bundle);
    for (const [id, d] of this.depots) {
      const bundle = used.get(id);
      d.layer.setStyle(bundle === undefined
        ? { radius: 5, color: '#000', weight: 1.5, fillColor: '#fff', fillOpacity: 0.9, opacity: 0.8 }
        : { radius: 8, color: '#000', weight: 3, fillColor: bundleColour(this.bundleIndex.get(bundle) || 0), fillOpacity: 1, opacity: 1 });
    }
  }

  // --- plan -----------------------------------------------------------------------------------
  // setPlan takes …/plan.geojson (assets with `bundle`, depots with role "depot", outlines with
  // role "outline") and the bundle order of …/plan; null clears the plan.
  setPlan(fc, bundleIds) {
    this.outlineGroup.clearLayers();
    this.outlines.clear();
    this.assetBundle.clear();
    this.bundleIndex.clear();
    this.highlighted = null;
    if (fc) {
      (bundleIds || []).forEach((b, i) => this.bundleIndex.set(b, i));
      const depotOf = new Map();
      for (const f of fc.features || []) {
        const p = f.properties || {};
        if (p.role === 'depot') depotOf.set(p.bundle, p.id);
      }
      for (const f of fc.features || []) {
        const p = f.properties || {};
        if (p.bundle === undefined || p.bundle === null) continue;
        if (!this.bundleIndex.has(p.bundle)) this.bundleIndex.set(p.bundle, this.bundleIndex.size);
        if (p.role === 'outline') {
          const colour = bundleColour(this.bundleIndex.get(p.bundle));
          const layer = L.geoJSON(f, {
            renderer: this.renderer, interactive: false,
            style: () => ({ color: colour, weight: 2.5, dashArray: '6 4', fillColor: colour, fillOpacity: 0.08 }),
          });
          this.outlineGroup.addLayer(layer);
          this.outlines.set(p.bundle, { layer, depot: depotOf.get(p.bundle), colour });
        } else if (p.role !== 'depot' && p.id !== undefined) {
          this.assetBundle.set(p.id, p.bundle);
        }
      }
    }
    this.restyleAssets();
    this.restyleDepots();
    this.order();
  }

  highlightBundle(bundle) {
    this.highlighted = bundle;
    for (const [b, o] of this.outlines) {
      o.layer.setStyle(b === bundle
        ? { weight: 5, dashArray: null, fillOpacity: 0.15 }
        : { weight: 2.5, dashArray: '6 4', fillOpacity: bundle === null ? 0.08 : 0.02 });
    }
    this.restyleAssets();
  }

  fitBundle(bundle) {
    const o = this.outlines.get(bundle);
    let b = o ? o.layer.getBounds() : null;
    if (!b || !b.isValid()) {
      const pts = [];
      for (const [id, bb] of this.assetBundle) if (bb === bundle && this.assets.has(id)) pts.push(this.assets.get(id).ll);
      if (!pts.length) return;
      b = L.latLngBounds(pts);
    }
    this.map.fitBounds(b, { padding: [30, 30], maxZoom: 13 });
  }

  // fitAll shows every municipality.
  fitAll() {
    let b = null;
    for (const m of this.munis.values()) b = b ? b.extend(m.layer.getBounds()) : L.latLngBounds(m.layer.getBounds().getSouthWest(), m.layer.getBounds().getNorthEast());
    if (b && b.isValid()) this.map.fitBounds(b, { padding: [10, 10], animate: false });
  }

  fitMunicipality(code) {
    const m = this.munis.get(code);
    if (m) this.map.fitBounds(m.layer.getBounds(), { padding: [20, 20] });
  }

  markAssets(ids) {
    this.marked = new Set(ids);
    this.restyleAssets();
    const pts = [...this.marked].filter((id) => this.assets.has(id)).map((id) => this.assets.get(id).ll);
    if (pts.length) this.map.fitBounds(L.latLngBounds(pts), { padding: [40, 40], maxZoom: 14 });
  }

  // order restores the canvas draw order: municipalities at the bottom, depots on top.
  order() {
    for (const o of this.outlines.values()) o.layer.bringToBack();
    for (const m of this.munis.values()) m.layer.bringToBack();
    for (const d of this.depots.values()) d.layer.bringToFront();
  }

  popup(latlng, node) {
    return L.popup({ maxWidth: 360, autoPanPadding: [20, 20] }).setLatLng(latlng).setContent(node).openOn(this.map);
  }

  closePopup() { this.map.closePopup(); }

  invalidate() { this.map.invalidateSize(); }

  // stats is what window.tabane.stats() reports: counts of what is drawn.
  stats() {
    let polygons = 0;
    for (const m of this.munis.values()) {
      m.layer.eachLayer(() => { polygons += 1; });
    }
    return {
      municipalities: this.munis.size,
      municipality_polygons: polygons,
      assets: this.assets.size,
      depots: this.depots.size,
      outlines: this.outlines.size,
      assets_in_bundles: this.assetBundle.size,
      renderer: this.renderer instanceof L.Canvas ? 'canvas' : 'svg',
      asset_dom_nodes: document.querySelectorAll('#map .leaflet-marker-icon, #map path').length,
      tiles: this.tiles ? this.tiles._url : '',
    };
  }

  // settled resolves once no zoom or pan animation is running.
  settled() {
    const m = this.map;
    return new Promise((resolve) => {
      const check = () => {
        const panning = m._panAnim && m._panAnim._inProgress;
        if (!m._animatingZoom && !panning) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  }

  // pagePoint is where a lon/lat is drawn, in CSS pixels of the page (for clicking from tests).
  pagePoint(ll) {
    const p = this.map.latLngToContainerPoint(ll);
    const r = this.map.getContainer().getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  }
}
