// Moves with live cost and "why here" (issue 15, parts 3 and 4). The planner selects assets on the
// map (Ctrl/⌘/Shift-click, or Shift-drag a box), picks a lot (or a new lot at a free depot) and sees
// at once what POST /api/v1/runs/{id}/moves answers: the new cost, the change for the plan and for
// each municipality's share, and every rule the edited plan breaks. Moves pile up until the planner
// keeps them (the edited plan becomes a "hand edit" run of its own, shown at once) or undoes them.
// "Why here" asks GET …/why for an asset (its popup) or a lot (the lot table). Every number shown is
// the server's evaluator's; nothing is priced here.

import { t, onLang, yen, num } from './i18n.js';
import { request as send } from './api.js';

/* global L */

function node(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') e.addEventListener('click', v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

// signed writes a yen change with its sign: +¥1,200 / −¥300 / ±¥0.
function signed(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const r = Math.round(v);
  if (r === 0) return `±${yen(0)}`;
  return `${r > 0 ? '+' : '−'}${yen(Math.abs(r))}`;
}

// ruleText names a broken rule and where, in the page's language (the API's prose is English).
function ruleText(v) {
  const name = t(`mv.rule.${v.rule}`);
  const rule = name === `mv.rule.${v.rule}` ? v.rule : name;
  if (v.bundle) return t('mv.rule_in_lot', { lot: v.bundle, rule });
  if (v.asset) return t('mv.rule_asset', { asset: v.asset, rule });
  if (v.municipality) return t('mv.rule_asset', { asset: v.municipality, rule });
  return rule;
}

// createMoves wires the moves panel. opts: pm (the PlanMap), runId() and plan() (the run shown),
// depotName(id), muniName(code), openAsset(id), showResults(), showRun(id) and refreshRuns() (after
// a keep), status(key, vars), fail(err), and panel / lotBox (the elements it fills).
export function createMoves(opts) {
  const { pm } = opts;
  let selected = new Set();
  let batches = []; // [[move, …], …] in the order made; undo drops the last
  let result = null; // the last answer of POST …/moves
  let original = new Map(); // asset → lot of the run's plan, for the map's preview
  let busy = false;

  // --- selection on the map -------------------------------------------------------------------
  function setSelected(ids) {
    selected = new Set(ids);
    pm.setSelected(selected);
    render();
  }

  function toggle(id) {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id); else next.add(id);
    setSelected(next);
  }

  // Ctrl/⌘-click (or Shift-click) on an asset of the plan toggles it in the selection. The click is
  // taken in the capture phase, before Leaflet hands it to the asset (whose popup would open) or
  // to the municipality under it.
  const container = pm.map.getContainer();
  container.addEventListener('click', (e) => {
    if (!(e.ctrlKey || e.metaKey || e.shiftKey) || !opts.plan()) return;
    const id = assetAt(pm.map.mouseEventToContainerPoint(e));
    if (id === null) return;
    e.stopPropagation();
    e.preventDefault();
    toggle(id);
  }, true);

  // assetAt is the plan's asset drawn nearest to a container point, within its radius (and the
  // renderer's click tolerance), or null.
  function assetAt(pt) {
    let best = null;
    let bestD = Infinity;
    for (const [id, a] of pm.assets) {
      if (!pm.assetBundle.has(id)) continue;
      const d = pm.map.latLngToContainerPoint(a.ll).distanceTo(pt);
      if (d <= (a.layer.options.radius || 4) + 3 && d < bestD) { best = id; bestD = d; }
    }
    return best;
  }

  // Shift-drag draws a box and selects the plan's assets in it; Leaflet's own Shift-drag zoom
  // gives way.
  pm.map.boxZoom.disable();
  let box = null;
  container.addEventListener('mousedown', (e) => {
    if (!e.shiftKey || e.button !== 0 || !opts.plan()) return;
    const start = pm.map.mouseEventToLatLng(e);
    // On the map's own canvas: a layer on another renderer would leave a second canvas over
    // the assets, and it would take their clicks.
    box = {
      start,
      rect: L.rectangle(L.latLngBounds(start, start), {
        renderer: pm.renderer, color: '#e6007e', weight: 1.5, dashArray: '4 3', fillOpacity: 0.08, interactive: false,
      }).addTo(pm.map),
    };
    pm.map.dragging.disable();
    e.preventDefault();
  });
  container.addEventListener('mousemove', (e) => {
    if (box) box.rect.setBounds(L.latLngBounds(box.start, pm.map.mouseEventToLatLng(e)));
  });
  window.addEventListener('mouseup', (e) => {
    if (!box) return;
    const bounds = L.latLngBounds(box.start, pm.map.mouseEventToLatLng(e));
    box.rect.remove();
    box = null;
    pm.map.dragging.enable();
    selectIn(bounds);
  });

  // selectIn adds the plan's assets inside bounds to the selection.
  function selectIn(bounds) {
    const next = new Set(selected);
    for (const [id, a] of pm.assets) if (pm.assetBundle.has(id) && bounds.contains(a.ll)) next.add(id);
    setSelected(next);
    opts.showResults();
  }

  // --- moves ----------------------------------------------------------------------------------
  function allMoves() { return batches.flat(); }

  async function preview() {
    const moves = allMoves();
    if (!moves.length) {
      result = null;
      restoreMap();
      render();
      return;
    }
    busy = true;
    render();
    try {
      result = await send('POST', `runs/${encodeURIComponent(opts.runId())}/moves`, { moves });
      previewMap();
    } catch (err) {
      batches.pop(); // the move that failed is not kept
      opts.fail(err);
    }
    busy = false;
    render();
  }

  // blockStarts are the years a programme plan's lots start in (empty for one year): a lot of
  // a programme runs in a block, and a new lot needs its block's first year.
  function blockStarts() {
    const plan = opts.plan();
    const ys = new Set();
    for (const b of (plan && plan.bundles) || []) if (b.fy !== null && b.fy !== undefined) ys.add(b.fy);
    return [...ys].sort((a, b) => a - b);
  }
  const isProgramme = () => blockStarts().length > 0;

  // move sends the selected assets to lot (a lot id, or "new" with depot, and fy, the first year
  // of its block, in a programme). A programme move to an existing lot keeps each asset's year
  // where the lot's block holds it, else takes the latest year of its window there (the server's rule).
  async function move(ids, lot, depot, fy) {
    if (!ids.length || busy) return;
    const fresh = (asset) => (fy ? { asset, to_lot: 'new', depot, fy: Number(fy) } : { asset, to_lot: 'new', depot });
    batches.push(ids.map((asset) => (lot === 'new' ? fresh(asset) : { asset, to_lot: lot })));
    setSelected([]);
    await preview();
  }

  async function undo() {
    batches.pop();
    await preview();
  }

  async function keep() {
    const moves = allMoves();
    if (!moves.length || busy) return;
    busy = true;
    render();
    try {
      const r = await send('POST', `runs/${encodeURIComponent(opts.runId())}/moves`, { moves, keep: true });
      batches = [];
      result = null;
      await opts.refreshRuns();
      await opts.showRun(r.saved.id);
      opts.status('mv.kept', { run: r.saved.id });
    } catch (err) { opts.fail(err); }
    busy = false;
    render();
  }

  // previewMap colours the moved assets as their new lots on the map.
  function previewMap() {
    restoreMap();
    if (!result || !result.plan) return;
    for (const b of result.plan.bundles || []) {
      if (!pm.bundleIndex.has(b.id)) pm.bundleIndex.set(b.id, pm.bundleIndex.size);
      for (const a of b.assets) {
        if (!original.has(a)) original.set(a, pm.assetBundle.get(a));
        pm.assetBundle.set(a, b.id);
      }
    }
    pm.restyleAssets();
  }

  function restoreMap() {
    for (const [a, lot] of original) {
      if (lot === undefined) pm.assetBundle.delete(a); else pm.assetBundle.set(a, lot);
    }
    original = new Map();
    pm.restyleAssets();
  }

  // reset forgets the moves and the selection: another run is shown.
  function reset() {
    batches = [];
    result = null;
    original = new Map();
    selected = new Set();
    pm.setSelected(selected);
    opts.lotBox.replaceChildren();
    render();
  }

  // --- the panel ------------------------------------------------------------------------------
  function targetSelect() {
    const plan = opts.plan();
    const sel = node('select', { id: 'mv-target' });
    const used = new Set();
    for (const b of (result && result.plan ? result.plan.bundles : plan.bundles) || []) {
      used.add(b.depot);
      sel.append(node('option', { value: b.id }, t('mv.lot_option', { lot: b.id, depot: opts.depotName(b.depot) })));
    }
    sel.append(node('option', { value: 'new' }, t('mv.new_lot')));
    const depot = node('select', { id: 'mv-depot', hidden: true, 'aria-label': t('mv.depot') });
    // A programme's depot runs one lot per block: any depot may open a lot in another block
    // (the server refuses a depot already running one in the block chosen).
    const programme = isProgramme();
    for (const [id] of pm.depots) {
      if (programme || !used.has(id)) depot.append(node('option', { value: id }, opts.depotName(id)));
    }
    const fy = node('select', { id: 'mv-fy', hidden: true, 'aria-label': t('mv.fy') });
    for (const y of blockStarts()) fy.append(node('option', { value: String(y) }, t('mv.fy_option', { fy: y })));
    sel.addEventListener('change', () => {
      depot.hidden = sel.value !== 'new';
      fy.hidden = sel.value !== 'new' || !programme;
    });
    return { sel, depot, fy };
  }

  function render() {
    const panel = opts.panel;
    panel.replaceChildren();
    const plan = opts.plan();
    if (!plan) return;
    panel.append(node('h2', null, t('mv.title')), node('p', { class: 'muted' }, t('mv.hint')));
    const count = node('p', { id: 'mv-selected' }, t('mv.selected', { n: selected.size }));
    if (selected.size) {
      count.append(' ', node('button', { type: 'button', class: 'linkish', id: 'mv-clear', onclick: () => setSelected([]) }, t('mv.clear')));
    }
    panel.append(count);
    const { sel, depot, fy } = targetSelect();
    const go = node('button', { type: 'button', id: 'mv-move', disabled: !selected.size || busy },
      t('mv.move'));
    go.addEventListener('click', () => move([...selected], sel.value, depot.value, isProgramme() ? fy.value : null));
    panel.append(node('div', { class: 'row' }, node('label', { for: 'mv-target' }, t('mv.to')), sel, depot, fy, go));
    if (result) panel.append(resultNode());
    else if (busy) panel.append(node('p', { class: 'muted' }, t('mv.pricing')));
  }

  function resultNode() {
    const r = result;
    const out = node('div', { id: 'mv-result', 'aria-live': 'polite' });
    out.append(node('dl', { class: 'totals' },
      node('div', null, node('dt', null, t('mv.cost')), node('dd', { id: 'mv-cost', 'data-cost': String(r.cost) }, yen(r.cost))),
      node('div', null, node('dt', null, t('mv.delta')), node('dd', { id: 'mv-delta', class: r.delta > 0 ? 'worse' : 'better' }, signed(r.delta))),
      node('div', null, node('dt', null, t('mv.moves')), node('dd', { id: 'mv-count' }, num(allMoves().length)))));
    const rules = node('ul', { id: 'mv-rules', class: 'why' });
    for (const v of r.violations || []) {
      const isNew = (r.new_violations || []).some((n) => n.rule === v.rule && n.bundle === v.bundle && n.message === v.message);
      rules.append(node('li', { 'data-rule': v.rule, class: isNew ? 'new' : null, title: v.message }, ruleText(v), isNew ? ` ${t('mv.new_rule')}` : ''));
    }
    out.append(node('p', { class: r.feasible ? 'ok' : 'warn' }, t(r.feasible ? 'mv.feasible' : 'mv.infeasible', { n: (r.violations || []).length })));
    if ((r.violations || []).length) out.append(rules);
    const shares = (r.shares || []).filter((s) => Math.round(s.delta) !== 0);
    if (shares.length) {
      const tb = node('tbody');
      for (const s of shares) {
        tb.append(node('tr', { 'data-code': s.municipality },
          node('th', { scope: 'row' }, s.name || opts.muniName(s.municipality)),
          node('td', { class: 'num' }, yen(s.before)), node('td', { class: 'num' }, yen(s.after)),
          node('td', { class: 'num' }, signed(s.delta))));
      }
      out.append(node('table', { class: 'data', id: 'mv-shares' },
        node('caption', null, t('mv.shares')),
        node('thead', null, node('tr', null, node('th', { scope: 'col' }, t('m.name')), node('th', { scope: 'col', class: 'num' }, t('mv.before')),
          node('th', { scope: 'col', class: 'num' }, t('mv.after')), node('th', { scope: 'col', class: 'num' }, t('mv.change')))),
        tb));
    }
    const lots = node('tbody');
    for (const l of r.lots || []) {
      const what = l.opened ? t('mv.opened') : (l.closed ? t('mv.closed') : '');
      lots.append(node('tr', { 'data-lot': l.lot }, node('th', { scope: 'row' }, `${l.lot} ${what}`.trim()),
        node('td', { class: 'num' }, yen(l.before)), node('td', { class: 'num' }, yen(l.after)), node('td', { class: 'num' }, signed(l.delta))));
    }
    out.append(node('table', { class: 'data', id: 'mv-lots' }, node('caption', null, t('mv.lots')),
      node('thead', null, node('tr', null, node('th', { scope: 'col' }, t('b.id')), node('th', { scope: 'col', class: 'num' }, t('mv.before')),
        node('th', { scope: 'col', class: 'num' }, t('mv.after')), node('th', { scope: 'col', class: 'num' }, t('mv.change')))),
      lots));
    out.append(node('div', { class: 'row' },
      node('button', { type: 'button', id: 'mv-keep', disabled: busy, onclick: keep }, t('mv.keep')),
      node('button', { type: 'button', id: 'mv-undo', disabled: busy, onclick: undo }, t('mv.undo'))));
    return out;
  }

  // --- why here -------------------------------------------------------------------------------
  // assetButtons are the asset popup's links, inline on its lot line so that the popup opens no
  // taller: select it for a move, and ask why it is where it is (the answer goes below the line).
  function assetButtons(id) {
    const wrap = node('span', { class: 'mv-asset' });
    if (!opts.plan() || !pm.assetBundle.has(id)) return wrap;
    const sel = node('button', { type: 'button', class: 'linkish mv-select' }, t(selected.has(id) ? 'mv.unselect' : 'mv.select'));
    sel.addEventListener('click', () => {
      toggle(id);
      sel.textContent = t(selected.has(id) ? 'mv.unselect' : 'mv.select');
    });
    if (isProgramme()) { // "why here" explains one-year lots only (GET …/why answers 409)
      wrap.append(' · ', sel);
      return wrap;
    }
    const out = node('div', { class: 'mv-why', 'aria-live': 'polite' });
    const why = node('button', { type: 'button', class: 'linkish mv-why-asset' }, t('mv.why'));
    why.addEventListener('click', async () => {
      why.disabled = true;
      try {
        const w = await send('GET', `runs/${encodeURIComponent(opts.runId())}/why?asset=${encodeURIComponent(id)}`);
        out.replaceChildren(assetWhyNode(w));
        if (!out.isConnected) (wrap.closest('p') || wrap).after(out);
      } catch (err) { opts.fail(err); }
      why.disabled = false;
    });
    wrap.append(' · ', sel, ' · ', why);
    return wrap;
  }

  function assetWhyNode(w) {
    const box = node('div', null);
    if (w.lot) {
      box.append(node('p', { class: 'mv-here' }, t('mv.here', { cost: yen(w.cost_here), lot: w.lot, km: num(w.distance_km, 1), depot: opts.depotName(w.depot) })));
    }
    const allowed = w.options.filter((o) => o.allowed);
    const forbidden = w.options.filter((o) => !o.allowed);
    if (allowed.length) {
      box.append(node('p', null, t('mv.cheapest')));
      const ul = node('ul', { class: 'why mv-options' });
      for (const o of allowed.slice(0, 3)) {
        const go = node('button', { type: 'button', class: 'linkish mv-go', 'data-lot': o.lot }, t('mv.move_there'));
        go.addEventListener('click', () => { opts.showResults(); move([w.asset], o.lot); });
        ul.append(node('li', { 'data-lot': o.lot }, t('mv.option', { lot: o.lot, depot: opts.depotName(o.depot), delta: signed(o.delta), km: num(o.distance_km, 1) }), ' ', go));
      }
      box.append(ul);
    } else {
      box.append(node('p', { class: 'mv-none' }, t('mv.no_option')));
    }
    if (forbidden.length) {
      box.append(node('p', null, t('mv.forbidden')));
      const ul = node('ul', { class: 'why mv-forbidden' });
      for (const o of forbidden.slice(0, 5)) {
        const rules = o.rules.map((r) => { const s = t(`mv.rule.${r}`); return s === `mv.rule.${r}` ? r : s; });
        ul.append(node('li', { 'data-lot': o.lot, 'data-rules': o.rules.join(' ') }, t('mv.forbid_line', { lot: o.lot, rules: rules.join(t('sep.list')), delta: signed(o.delta) })));
      }
      if (forbidden.length > 5) ul.append(node('li', null, t('b.more', { n: forbidden.length - 5 })));
      box.append(ul);
    }
    return box;
  }

  // lotButton is the lot table's "why" button of a lot.
  function lotButton(b) {
    if (isProgramme()) return node('span', null);
    const btn = node('button', { type: 'button', class: 'linkish mv-why-lot', 'data-lot': b.id, title: t('mv.why_lot_hint') }, t('mv.why_lot'));
    btn.addEventListener('click', async (e) => {
      e.stopPropagation();
      try {
        const w = await send('GET', `runs/${encodeURIComponent(opts.runId())}/why?lot=${encodeURIComponent(b.id)}`);
        opts.lotBox.replaceChildren(lotWhyNode(w));
        opts.lotBox.scrollIntoView({ block: 'nearest' });
      } catch (err) { opts.fail(err); }
    });
    btn.addEventListener('keydown', (e) => e.stopPropagation());
    return btn;
  }

  function lotWhyNode(w) {
    const box = node('section', { class: 'mv-lot', 'data-lot': w.lot, 'aria-live': 'polite' });
    box.append(node('h3', null, t('mv.lot_title', { lot: w.lot, depot: opts.depotName(w.depot) })));
    const b = w.breakdown;
    const limit = (v, unit) => (v === null || v === undefined ? t('print.unlimited') : unit(v));
    const dl = node('dl', { class: 'kv' });
    for (const [k, v] of [
      ['mv.fixed', yen(b.fixed)], ['mv.equipment', yen(b.equipment)], ['mv.surcharge', yen(b.surcharge)],
      ['mv.assets', yen(b.assets)], ['mv.travel', yen(b.travel)], ['mv.total', yen(b.total)],
      ['mv.value_limits', t('mv.range', { lo: yen(w.limits.min_value), hi: limit(w.limits.max_value, yen) })],
      ['mv.workload', t('mv.of', { v: num(w.workload, 1), max: limit(w.limits.max_workload, (x) => num(x, 0)) })],
      ['mv.count', t('mv.of', { v: num(w.asset_count), max: limit(w.limits.max_assets, num) })],
      ['mv.distance', t('mv.of', { v: num(w.max_distance_km, 1), max: limit(w.limits.max_distance_km, (x) => num(x, 0)) })],
    ]) dl.append(node('dt', null, t(k)), node('dd', null, v));
    box.append(dl);
    if (w.violations.length) box.append(node('ul', { class: 'why' }, ...w.violations.map((v) => node('li', { 'data-rule': v.rule, title: v.message }, ruleText(v)))));
    const tb = node('tbody');
    for (const a of w.costliest) {
      const open = node('button', { type: 'button', class: 'linkish' }, a.asset);
      open.addEventListener('click', () => opts.openAsset(a.asset));
      tb.append(node('tr', { 'data-asset': a.asset }, node('th', { scope: 'row' }, open), node('td', null, opts.muniName(a.municipality)),
        node('td', { class: 'num' }, yen(a.cost)), node('td', { class: 'num' }, yen(a.travel)), node('td', { class: 'num' }, yen(a.alone))));
    }
    box.append(node('table', { class: 'data mv-costliest' }, node('caption', null, t('mv.costliest')),
      node('thead', null, node('tr', null, node('th', { scope: 'col' }, t('cmp.asset')), node('th', { scope: 'col' }, t('m.name')),
        node('th', { scope: 'col', class: 'num' }, t('mv.keep_cost')), node('th', { scope: 'col', class: 'num' }, t('mv.travel')),
        node('th', { scope: 'col', class: 'num' }, t('mv.alone')))),
      tb));
    return box;
  }

  onLang(() => render());
  return {
    reset, render, assetButtons, lotButton,
    selected: () => [...selected],
    select: (ids) => setSelected(ids),
    move: (ids, lot, depot) => move(ids, lot, depot),
    result: () => result,
  };
}
