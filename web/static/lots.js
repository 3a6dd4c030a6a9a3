// Lots a planner can defend (issue 15, part 1): the area lock stated on the scenario form with
// its price after a solve (the run's instance solved again with region_locked flipped, a run of
// its own: POST /runs/{id}/counterpart), each lot's spread and overlaps in the lot table with
// why two overlapping lots are two (GET /runs/{id}/lots), and the map's labels: every lot's id
// at its outline's interior point, municipality names from zoom 10. Every string reaches the
// page through textContent.

import { t, onLang, yen, figure } from './i18n.js';

/* global L */

// muniLabelZoom is the least zoom at which municipality names are written: below it the 39
// names of Nara cover one another.
const muniLabelZoom = 10;

const finalStatus = new Set(['done', 'failed', 'cancelled', 'interrupted']);

function node(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') e.addEventListener('click', v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// label is a map text that never takes a click from what lies under it.
function label(ll, cls, text, colour) {
  const span = node('span', { class: cls }, text);
  if (colour) span.style.borderColor = colour;
  return L.marker(ll, { icon: L.divIcon({ className: 'map-label', html: span, iconSize: [0, 0] }), interactive: false, keyboard: false });
}

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// createLots wires the lots' view. opts: api (api.js), pm (PlanMap), runId() the run the page
// shows, munis() the municipalities by code, regionOrder the customary order of the areas,
// lockBox (the region-lock checkbox), notes (an element to fill below the totals), fail.
export function createLots(opts) {
  const { api, pm } = opts;
  let data = null; // GET /runs/{id}/lots of the run shown
  let price = null; // GET /runs/{id}/lock-price of the run shown (or of the run it is the counterpart of)
  let shown = null; // the run shown
  const lotLabels = L.layerGroup().addTo(pm.map);
  const muniLabels = L.layerGroup();
  let muniCount = -1;

  const lockNote = node('p', { id: 'lock-note', class: 'hint' });
  opts.lockBox.closest('.checks').after(lockNote);
  opts.lockBox.addEventListener('change', () => renderLockNote());

  function areas() {
    const seen = new Set();
    for (const m of opts.munis().values()) if (m.region) seen.add(m.region);
    const order = opts.regionOrder;
    return [...seen].sort((a, b) => {
      const ia = order.indexOf(a) < 0 ? order.length : order.indexOf(a);
      const ib = order.indexOf(b) < 0 ? order.length : order.indexOf(b);
      return ia - ib || a.localeCompare(b);
    });
  }

  function renderLockNote() {
    const list = areas().join(t('sep.list'));
    lockNote.textContent = t(opts.lockBox.checked ? 'lock.on' : 'lock.off', { areas: list });
  }

  // --- map labels -----------------------------------------------------------------------------
  function drawLotLabels(geo) {
    lotLabels.clearLayers();
    for (const f of (geo && geo.features) || []) {
      const p = f.properties || {};
      if (p.role !== 'outline' || !Array.isArray(p.label)) continue;
      const o = pm.outlines.get(p.bundle);
      const overlap = (p.overlaps || []).length > 0;
      const m = label(L.latLng(p.label[1], p.label[0]), overlap ? 'lot-label overlap' : 'lot-label',
        overlap ? `${p.bundle} ⚠` : p.bundle, o && o.colour);
      lotLabels.addLayer(m);
    }
  }

  function syncMuniLabels() {
    const munis = opts.munis();
    if (munis.size !== muniCount) {
      muniLabels.clearLayers();
      for (const m of munis.values()) {
        if (m.office && Number.isFinite(m.office.lat) && Number.isFinite(m.office.lon)) {
          muniLabels.addLayer(label(L.latLng(m.office.lat, m.office.lon), 'muni-label', m.name || m.code));
        }
      }
      muniCount = munis.size;
    }
    const want = pm.map.getZoom() >= muniLabelZoom;
    if (want && !pm.map.hasLayer(muniLabels)) muniLabels.addTo(pm.map);
    if (!want && pm.map.hasLayer(muniLabels)) muniLabels.remove();
  }
  pm.map.on('zoomend', syncMuniLabels);

  // --- lot table ------------------------------------------------------------------------------
  function reasonText(lot, other, r) {
    const eqs = (xs) => xs.map((e) => { const k = `eq.${e}`; const s = t(k); return s === k ? e : s; }).join(t('sep.list'));
    const discs = (xs) => xs.map((d) => { const k = `disc.${d}`; const s = t(k); return s === k ? d : s; }).join(t('sep.list'));
    switch (r.code) {
      case 'equipment': {
        const parts = [];
        if (r.here && r.here.length) parts.push(t('ovl.equipment', { lot, eq: eqs(r.here) }));
        if (r.there && r.there.length) parts.push(t('ovl.equipment', { lot: other, eq: eqs(r.there) }));
        return parts.join(t('ovl.sep'));
      }
      case 'discipline':
        return t('ovl.discipline', { a: discs(r.here || []), b: discs(r.there || []) });
      case 'limit':
        return t('ovl.limit', { limits: (r.limits || []).map((x) => { const k = `rule.${x}`; const s = t(k); return s === k ? x : s; }).join(t('sep.list')) });
      case 'merge':
        return t(r.delta > 0 ? 'ovl.merge_more' : 'ovl.merge_less', { yen: yen(Math.abs(r.delta)), depot: opts.depotName(r.depot) });
      default:
        return r.code;
    }
  }

  function overlapText(l, o) {
    const why = (o.reasons || []).map((r) => reasonText(l.lot, o.lot, r)).join(t('ovl.sep'));
    return t('lots.overlap', { a: l.lot, b: o.lot, km2: figure(o.area_km2, 2), why: why || t('ovl.none') });
  }

  // decorate adds the spread and overlap cells to the lot table's rows (app.js calls it after
  // every render of the table).
  function decorate() {
    const table = document.getElementById('bundles-table');
    if (!table) return;
    const head = table.tHead.rows[0];
    for (const th of head.querySelectorAll('th.lots-col')) th.remove();
    head.append(node('th', { scope: 'col', class: 'num lots-col' }, t('lots.farthest')),
      node('th', { scope: 'col', class: 'num lots-col' }, t('lots.area')),
      node('th', { scope: 'col', class: 'lots-col' }, t('lots.overlaps')));
    const byLot = new Map(data && data.run === opts.runId() ? data.items.map((l) => [l.lot, l]) : []);
    for (const row of table.tBodies[0].rows) {
      for (const td of row.querySelectorAll('td.lots-col')) td.remove();
      const l = byLot.get(row.dataset.bundle);
      const cell = node('td', { class: 'lots-col' });
      if (l && l.overlaps.length) {
        cell.append(node('span', { class: 'overlap-mark', title: l.overlaps.map((o) => overlapText(l, o)).join('\n') },
          `⚠ ${l.overlaps.map((o) => o.lot).join(t('sep.list'))}`));
      }
      row.append(node('td', { class: 'num lots-col' }, l ? figure(l.farthest_km, 1) : '…'),
        node('td', { class: 'num lots-col' }, l ? figure(l.outline_km2, 1) : '…'), cell);
    }
  }

  // --- notes below the totals: the area lock's price, crossing lots, overlaps ----------------
  function renderNotes() {
    const box = opts.notes;
    box.replaceChildren();
    if (shown === null) return;
    box.append(priceNode());
    if (!data || data.run !== shown.id) return;
    const crossing = data.items.filter((l) => l.regions.length > 1);
    box.append(node('p', { id: 'lots-crossing', class: crossing.length ? 'warn' : 'muted' }, crossing.length
      ? t('lots.crossing', { n: crossing.length, list: crossing.map((l) => t('lots.crossing_item', { lot: l.lot, regions: l.regions.join(t('sep.list')) })).join(t('sep.list')) })
      : t('lots.within')));
    const pairs = [];
    const idx = new Map(data.items.map((l, i) => [l.lot, i]));
    for (const [i, l] of data.items.entries()) {
      for (const o of l.overlaps) if (idx.get(o.lot) > i) pairs.push(overlapText(l, o));
    }
    if (pairs.length) {
      // Folded: a plan of 15 lots may have thirty overlapping pairs, and the tables come first.
      box.append(node('details', { id: 'lots-overlaps-box' }, node('summary', null, t('lots.overlap_head', { n: pairs.length })),
        node('ul', { id: 'lots-overlaps' }, ...pairs.map((p) => node('li', null, p)))));
    }
  }

  function priceNode() {
    const p = node('p', { id: 'lock-price' });
    const run = shown;
    if (!price || price.run !== (run.counterpart_of ?? run.id)) return p;
    const cp = price.counterpart;
    if (run.counterpart_of) p.append(t('lock.this_is', { run: run.counterpart_of }), ' ');
    if (!cp) {
      if (!price.priceable) return p; // a programme run, or its scenario is gone
      p.append(t(price.region_locked ? 'lock.none_locked' : 'lock.none_free'), ' ',
        node('button', { type: 'button', id: 'lock-ask', class: 'linkish', onclick: () => ask(run).catch(opts.fail) },
          t(price.region_locked ? 'lock.ask_free' : 'lock.ask_locked')));
      return p;
    }
    if (!finalStatus.has(cp.status)) {
      p.append(t(price.region_locked ? 'lock.pending_free' : 'lock.pending_locked', { run: cp.id }));
      return p;
    }
    if (price.lifting_saves === null || price.lifting_saves === undefined) {
      p.append(t('lock.failed', { run: cp.id, error: cp.error || cp.status }));
      return p;
    }
    const locked = price.region_locked ? price.cost : price.counterpart_cost;
    const free = price.region_locked ? price.counterpart_cost : price.cost;
    const s = price.lifting_saves;
    p.className = 'lock-price';
    p.append(node('strong', null, s > 0 ? t('lock.saves', { yen: yen(s) }) : t('lock.no_saving')), ' ',
      t('lock.detail', { locked: yen(locked), free: yen(free), run: cp.id }));
    return p;
  }

  async function ask(run) {
    const base = run.counterpart_of ?? run.id;
    await api.counterpart(base);
    await follow(run);
  }

  // follow reads the lock price of the run shown until its counterpart has ended.
  async function follow(run) {
    const base = run.counterpart_of ?? run.id;
    for (;;) {
      const p = await api.lockPrice(base);
      if (shown !== run) return;
      price = p;
      renderNotes();
      if (!p.counterpart || finalStatus.has(p.counterpart.status)) return;
      await sleep(1000);
    }
  }

  // showRun: app.js calls it once the run's plan is on the map (geo: its plan.geojson). A
  // region-locked run that ended done gets its counterpart at once, so that the price of the
  // lock follows every solve of the default scenario; an unlocked one offers the button.
  async function showRun(run, geo) {
    shown = run;
    data = null;
    price = null;
    drawLotLabels(geo);
    syncMuniLabels();
    renderNotes();
    const [lots, p] = await Promise.all([api.lots(run.id), api.lockPrice(run.counterpart_of ?? run.id)]);
    if (shown !== run) return;
    data = lots;
    decorate();
    if (!p.counterpart && p.priceable && p.region_locked && run.status === 'done') {
      // Asked before the first note, so that the page never says "not solved yet" meanwhile.
      await api.counterpart(run.id);
    } else {
      price = p;
      renderNotes();
    }
    await follow(run);
  }

  onLang(() => { renderLockNote(); renderNotes(); });

  return {
    renderLockNote,
    decorate,
    showRun: (run, geo) => showRun(run, geo).catch(opts.fail),
    clear: () => { shown = null; data = null; price = null; lotLabels.clearLayers(); renderNotes(); },
    syncMuniLabels,
    // runTag marks a counterpart in the run lists.
    runTag: (r) => (r.counterpart_of ? ` ${t('lock.tag', { run: r.counterpart_of })}` : ''),
    stats: () => ({
      lot_labels: lotLabels.getLayers().length,
      muni_labels: pm.map.hasLayer(muniLabels) ? muniLabels.getLayers().length : 0,
      lots_overlapping: data ? data.items.filter((l) => l.overlaps.length).length : null,
      lots_crossing: data ? data.items.filter((l) => l.regions.length > 1).length : null,
      lock_price: price && price.lifting_saves !== undefined ? price.lifting_saves : null,
    }),
  };
}
