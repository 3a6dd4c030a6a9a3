// The compare tab: two runs side by side as a council reads them (GET /api/v1/runs/{a}/compare/{b}).
// Each run is labelled by its scenario's name and number and by what differs (parameters,
// municipalities, pins added or removed); the totals and every municipality's share and saving are
// shown with B − A, as a table that also downloads as CSV; the assets whose depot changed are
// counted by depot and by municipality (lot labels are local to a plan) and highlighted on the map
// while the tab is open.

import { t, yen, num, pct, pct100, getLang } from './i18n.js';

// signed writes a difference with its sign, f formatting the magnitude: +1,234 円, −5,782 円, ±0 円.
function signed(v, f = yen) {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  const r = Math.round(v);
  if (r === 0) return `±${f(0)}`;
  return (r > 0 ? '+' : '−') + f(Math.abs(r));
}
const signedYen = (v) => signed(v, yen);
// whole is an amount in whole yen without the unit (the column header names it).
const whole = (v) => (v === null || v === undefined ? '—' : num(Math.round(v)));

// Field labels of the inputs that may differ; money fields are written in yen.
const fieldKeys = {
  'params.contract_fixed_cost': 'f.fixed', 'params.travel_cost_per_km': 'f.travel', 'params.circuity': 'f.circuity',
  'params.limits.min_value': 'f.min_value', 'params.limits.max_value': 'f.max_value',
  'params.limits.max_workload': 'f.max_workload', 'params.limits.max_assets': 'f.max_assets',
  'params.limits.max_distance_km': 'f.max_distance', 'params.mixed_discipline_surcharge': 'f.mixing',
  'params.region_locked': 'f.region_lock', 'params.require_individual_rationality': 'f.ir',
  'run.time_limit_s': 'f.time_limit', 'run.seed': 'cmp.f.seed', assets: 'cmp.f.assets', version: 'cmp.f.version',
};
const moneyFields = new Set(['params.contract_fixed_cost', 'params.travel_cost_per_km', 'params.limits.min_value',
  'params.limits.max_value', 'params.mixed_discipline_surcharge']);

// createCompare wires the compare pane. opts: api (api.js), pm (the PlanMap), el (element
// builder), activate (row → click and Enter), openAsset(id), assetName(id), eqName(name), runs()
// (the runs with a plan, for the selects' values), visible() (whether the compare tab is shown).
export function createCompare(opts) {
  const { api, pm, el, activate } = opts;
  const $ = (id) => document.getElementById(id);
  let c = null; // the comparison shown
  let pair = null; // [a, b] run ids of c

  function fieldLabel(ch) {
    const f = ch.field;
    const m = /^municipalities\.(\d+)\.(participates|region)$/.exec(f);
    if (m) return t(`cmp.f.${m[2]}`, { name: ch.name || m[1] });
    if (f.startsWith('params.equipment.')) return opts.eqName(f.slice('params.equipment.'.length));
    return fieldKeys[f] ? t(fieldKeys[f]) : f;
  }

  function valueText(ch, v) {
    if (v === null || v === undefined) {
      if (ch.field === 'params.mixed_discipline_surcharge') return t('print.forbidden');
      return ch.field.startsWith('params.limits.') ? t('print.unlimited') : '—';
    }
    if (typeof v === 'boolean') return t(v ? 'print.on' : 'print.off');
    if (moneyFields.has(ch.field) || ch.field.startsWith('params.equipment.')) return yen(Number(v));
    if (ch.field === 'run.time_limit_s') return t('unit.s', { v: num(Number(v), 1) });
    if (typeof v === 'number') return num(v, Number.isInteger(v) ? 0 : 2);
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  function pinText(p) {
    const depot = p.depot_name || p.depot;
    const assets = (p.assets || []).map((id) => opts.assetName(id)).join(t('sep.list'));
    const fy = p.fy ? t('cmp.pin_fy', { fy: p.fy }) : '';
    switch (p.kind) {
      case 'asset': return t('cmp.pin_asset', { asset: assets, depot }) + fy;
      case 'forbid': return t('cmp.pin_forbid', { asset: assets, depot }) + fy;
      default: return t(p.closed ? 'cmp.pin_locked' : 'cmp.pin_lot', { depot, n: num((p.assets || []).length) }) + fy;
    }
  }

  function renderSides() {
    const box = $('cmp-labels');
    box.replaceChildren();
    for (const [k, s] of [['A', c.a], ['B', c.b]]) {
      const time = s.created_at ? new Date(s.created_at).toLocaleString(getLang() === 'ja' ? 'ja-JP' : 'en-GB') : '';
      box.append(el('li', { 'data-side': k }, el('strong', null, `${k}: `), el('span', { class: 'cmp-label' }, s.label || `#${s.run}`), ` ${time}`));
    }
    const diffs = $('cmp-diffs');
    diffs.replaceChildren();
    for (const ch of c.changes || []) {
      diffs.append(el('li', { 'data-field': ch.field }, `${fieldLabel(ch)}: ${valueText(ch, ch.a)} → ${valueText(ch, ch.b)}`));
    }
    for (const p of c.pins || []) {
      diffs.append(el('li', { 'data-pin': p.change }, `${t(`cmp.pin_${p.change}`)}: ${pinText(p)}`));
    }
    if (!diffs.children.length) diffs.append(el('li', null, t('cmp.same_inputs')));
  }

  function renderSummary() {
    const tb = $('cmp-summary').tBodies[0];
    tb.replaceChildren();
    const sa = c.a || {};
    const sb = c.b || {};
    const line = (key, fa, fb, fd = '') => tb.append(el('tr', null, el('th', { scope: 'row' }, t(key)),
      el('td', { class: 'num' }, fa), el('td', { class: 'num' }, fb), el('td', { class: 'num' }, fd)));
    const tot = c.total || {};
    line('cmp.cost', yen(sa.cost), yen(sb.cost), signedYen(tot.cost_diff));
    line('cmp.standalone', yen(sa.standalone_total), yen(sb.standalone_total), signedYen((tot.standalone_b ?? 0) - (tot.standalone_a ?? 0)));
    line('cmp.saving', yen(tot.saving_a), yen(tot.saving_b), signedYen(tot.saving_diff));
    line('cmp.saving_pct', pct100(sa.saving_pct), pct100(sb.saving_pct));
    line('cmp.bundles', num(sa.bundles), num(sb.bundles));
    line('cmp.gap', pct(sa.gap, 2), pct(sb.gap, 2));
    const irCount = (v) => (Array.isArray(v) ? v.length : (v ?? '—'));
    line('cmp.ir', String(irCount(sa.ir_violations)), String(irCount(sb.ir_violations)));
  }

  function renderMunicipalities() {
    const tb = $('cmp-munis').tBodies[0];
    tb.replaceChildren();
    // A's and B's saving are in the CSV; the page keeps to what fits the panel.
    const diff = (v) => signed(v, whole);
    for (const m of c.municipalities || []) {
      const cell = (v, f) => el('td', { class: 'num' }, f(v));
      tb.append(el('tr', { 'data-code': m.code },
        el('th', { scope: 'row' }, m.name || m.code),
        cell(m.share_a, whole), cell(m.share_b, whole), cell(m.share_diff, diff),
        cell(m.saving_diff, diff), cell(m.moved, num)));
    }
    $('cmp-csv').href = `/api/v1/runs/${encodeURIComponent(pair[0])}/compare/${encodeURIComponent(pair[1])}?format=csv&bom=true`;
  }

  function renderMoves() {
    const db = $('cmp-by-depot').tBodies[0];
    db.replaceChildren();
    for (const d of c.moves_by_depot || []) {
      db.append(el('tr', { 'data-depot': d.depot }, el('th', { scope: 'row' }, d.name || d.depot),
        el('td', { class: 'num' }, num(d.left)), el('td', { class: 'num' }, num(d.joined))));
    }
    const mb = $('cmp-by-muni').tBodies[0];
    mb.replaceChildren();
    const place = (id, name) => (id ? (name || id) : t('cmp.none'));
    for (const m of c.moves_by_municipality || []) {
      const flows = (m.flows || []).map((f) => t('cmp.flow', { from: place(f.from_depot, f.from_name), to: place(f.to_depot, f.to_name), n: num(f.count) }));
      mb.append(el('tr', { 'data-code': m.code }, el('th', { scope: 'row' }, m.name || m.code),
        el('td', { class: 'num' }, num(m.moved)), el('td', null, flows.join(t('sep.list')))));
    }
    const names = new Map((c.moves_by_depot || []).map((d) => [d.depot, d.name || d.depot]));
    const where = (depot, lot) => (depot ? t('fmt.paren', { a: names.get(depot) || depot, b: lot }) : t('cmp.none'));
    const moved = c.moved || [];
    $('cmp-count').textContent = num(c.moved_count ?? moved.length);
    $('cmp-show').disabled = moved.length === 0;
    const tb = $('cmp-moved').tBodies[0];
    tb.replaceChildren();
    for (const m of moved.slice(0, 2000)) {
      const row = el('tr', { tabindex: 0 },
        el('th', { scope: 'row' }, opts.assetName(m.asset)),
        el('td', null, where(m.from_depot, m.from)),
        el('td', null, where(m.to_depot, m.to)));
      activate(row, () => opts.openAsset(m.asset));
      tb.append(row);
    }
  }

  function render() {
    $('cmp-out').hidden = !c;
    if (!c) return;
    renderSides();
    renderSummary();
    renderMunicipalities();
    renderMoves();
  }

  // highlight marks on the map the assets whose depot changed; only while the tab is shown.
  function highlight() {
    if (c && opts.visible()) pm.markAssets((c.moved || []).map((m) => m.asset));
  }

  async function run() {
    const a = $('cmp-a').value;
    const b = $('cmp-b').value;
    if (!a || !b) return;
    const got = await api.compare(a, b);
    c = got;
    pair = [a, b];
    render();
    highlight();
  }

  $('cmp-show').addEventListener('click', highlight);

  return {
    run,
    render,
    // left clears the highlights when the compare tab is left; entered shows them again.
    left() { if (pm.marked.size) pm.markAssets([]); },
    entered() { highlight(); },
    shown: () => c,
  };
}
