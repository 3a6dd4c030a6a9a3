// The planner's page: scenario → solve (live progress) → results on the map and in tables →
// compare → export. Every user-provided string (asset and municipality names, scenario names,
// import reasons) is set with textContent; no HTML string is ever built from data.

import { api } from './api.js';
import { initLang, setLang, getLang, onLang, applyStatic, t, yen, num, pct, pct100, health, amountText, parseAmount } from './i18n.js';
import { whyLines, importReason, named } from './reasons.js';
import { createPins } from './pins.js';
import { createLots } from './lots.js';
import { createMoves } from './moves.js';
import { createCompare } from './compare.js';
import { PlanMap, kindColours } from './map.js';
import { ProgressChart } from './chart.js';
import { createProgramme } from './programme.js';

const $ = (id) => document.getElementById(id);

// el builds an element; children may be strings (become text nodes) or nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const state = {
  settings: {},
  munis: new Map(), // code → properties of the municipalities GeoJSON
  assets: new Map(), // id → properties of the assets GeoJSON (those in view when assetsByView)
  assetLimit: 50000, // settings.asset_layer_limit
  assetsByView: false, // the inventory is larger than assetLimit: the layer holds the view's assets
  assetBBox: null, // the bbox of the assets loaded by view
  assetsTruncated: false, // the view holds more than assetLimit assets: zoom in to see all
  depots: new Map(), // id → properties
  scenarios: [],
  scenario: null,
  runs: [],
  runId: null, // the run shown in the results
  run: null,
  plan: null,
  shares: new Map(), // code → shares row
  active: null, // {id, es, poll} of the run being solved
  selectedBundle: null,
  consoleErrors: 0,
};

let pm; // PlanMap
let pins; // the scenario's pins (pins.js)
let lots; // the lots' spread, overlaps, labels and the area lock's price (lots.js)
let moves; // hand moves and why here (moves.js)
let cmp; // the compare tab (compare.js)
let chart; // ProgressChart
let prog; // the five-year programme's panel and year view (programme.js)

// ---------------------------------------------------------------------------------------------
// status line

let statusKey = null;
let statusVars = null;
function status(key, vars, isError = false) {
  statusKey = key;
  statusVars = vars;
  const s = $('status');
  s.textContent = t(key, vars);
  s.classList.toggle('error', isError);
}
function fail(err) {
  const msg = err && err.message ? err.message : String(err);
  if (err && err.status === 401) $('login-link').hidden = false;
  status('st.error', { error: msg }, true);
  if (window.tabane) window.tabane.errors.push(msg);
}

// ---------------------------------------------------------------------------------------------
// tabs (WAI-ARIA tabs: arrows move between tabs)

const tabs = ['scenario', 'results', 'compare', 'import'];
function showTab(name, focus = false) {
  for (const n of tabs) {
    const on = n === name;
    const tab = $(`tab-${n}`);
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
    const was = !$(`pane-${n}`).hidden;
    $(`pane-${n}`).hidden = !on;
    if (on && focus) tab.focus();
    // the compare tab's highlights live only while it is shown
    if (n === 'compare' && cmp && was !== on) (on ? cmp.entered() : cmp.left());
  }
  $('panel').scrollTop = 0;
}
function wireTabs() {
  tabs.forEach((n, i) => {
    const tab = $(`tab-${n}`);
    tab.addEventListener('click', () => showTab(n));
    tab.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        const j = (i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
        showTab(tabs[j], true);
        e.preventDefault();
      }
    });
  });
  showTab('scenario');
}

// ---------------------------------------------------------------------------------------------
// scenario form

function numberOrUndef(input) {
  const n = parseAmount(input.value.trim());
  return Number.isFinite(n) ? n : undefined;
}
function setNum(input, v) {
  input.value = v === undefined || v === null || v === '' ? '' : (input.classList.contains('amount') ? amountText(v) : String(v));
}

// wireAmount makes a text input an amount field: thousands separators shown (set on blur), the
// value parsed on every input (an unreadable one is marked invalid); the API still gets numbers.
function wireAmount(input) {
  input.classList.add('amount');
  input.addEventListener('input', () => {
    const n = parseAmount(input.value);
    input.setAttribute('aria-invalid', n !== undefined && !Number.isFinite(n) ? 'true' : 'false');
  });
  input.addEventListener('blur', () => {
    const n = parseAmount(input.value);
    if (Number.isFinite(n)) input.value = amountText(n);
  });
}

const limitFields = [
  ['min_value', 'f-min-value'], ['max_value', 'f-max-value'], ['max_workload', 'f-max-workload'],
  ['max_assets', 'f-max-assets'], ['max_distance_km', 'f-max-distance'],
];

function fillForm(sc) {
  const p = sc.params || {};
  $('f-name').value = sc.name || '';
  setNum($('f-fy'), sc.fiscal_year);
  setNum($('f-fixed'), p.contract_fixed_cost);
  setNum($('f-travel'), p.travel_cost_per_km);
  setNum($('f-circuity'), p.circuity);
  const box = $('equipment-fields');
  box.replaceChildren();
  for (const [name, price] of Object.entries(p.equipment || {})) {
    const id = `f-eq-${name}`;
    const label = el('label', { for: id, text: eqName(name) });
    label.dataset.eq = name;
    const input = el('input', { id, type: 'text', inputmode: 'numeric', autocomplete: 'off' });
    input.dataset.eq = name;
    wireAmount(input);
    setNum(input, price);
    box.append(label, input);
  }
  const lim = p.limits || {};
  for (const [k, id] of limitFields) setNum($(id), lim[k]);
  const forbidden = p.mixed_discipline_surcharge === null;
  $('f-mix-forbidden').checked = forbidden;
  $('f-mix-surcharge').checked = !forbidden;
  setNum($('f-surcharge'), forbidden ? '' : p.mixed_discipline_surcharge);
  $('f-surcharge').disabled = forbidden;
  $('f-region-lock').checked = !!p.region_locked;
  if (lots) lots.renderLockNote();
  $('f-ir').checked = !!p.require_individual_rationality;
  renderNonParticipants();
  prog.fill(sc);
}

function eqName(name) {
  const k = `eq.${name}`;
  const s = t(k);
  return s === k ? name : s;
}

// formParams is the scenario's params with the form's values over them; parts the form does not
// show (currency, disciplines, …) are kept as they are.
function formParams() {
  const old = (state.scenario && state.scenario.params) || {};
  const p = { ...old };
  const set = (k, v) => { if (v === undefined) delete p[k]; else p[k] = v; };
  set('contract_fixed_cost', numberOrUndef($('f-fixed')));
  set('travel_cost_per_km', numberOrUndef($('f-travel')));
  set('circuity', numberOrUndef($('f-circuity')));
  const eq = { ...(old.equipment || {}) };
  for (const input of $('equipment-fields').querySelectorAll('input[data-eq]')) {
    const v = numberOrUndef(input);
    if (v !== undefined) eq[input.dataset.eq] = v;
  }
  p.equipment = eq;
  const limits = {};
  for (const [k, id] of limitFields) {
    const v = numberOrUndef($(id));
    if (v !== undefined) limits[k] = v;
  }
  p.limits = limits;
  p.mixed_discipline_surcharge = $('f-mix-forbidden').checked ? null : (numberOrUndef($('f-surcharge')) ?? 0);
  p.region_locked = $('f-region-lock').checked;
  p.require_individual_rationality = $('f-ir').checked;
  return p;
}

function formBody() {
  const body = {
    name: $('f-name').value.trim() || t('scenario.default'),
    fiscal_year: numberOrUndef($('f-fy')),
    params: formParams(),
  };
  // A one-year scenario stays without the field; null takes a programme away.
  const programme = prog.body();
  if (programme || (state.scenario && state.scenario.programme)) body.programme = programme;
  return body;
}

// participates is the scenario's answer, else the municipality's own flag.
function participates(code) {
  const sc = state.scenario;
  if (sc && sc.participation && Object.prototype.hasOwnProperty.call(sc.participation, code)) {
    return sc.participation[code] !== false;
  }
  const m = state.munis.get(code);
  return !(m && m.participates === false);
}

function participationMap() {
  const m = new Map();
  for (const code of state.munis.keys()) m.set(code, participates(code));
  return m;
}

function renderNonParticipants() {
  const out = [...state.munis.entries()].filter(([code]) => !participates(code)).map(([, m]) => m.name || m.code);
  $('nonparticipants').textContent = out.length ? out.join(t('sep.list')) : '—';
  renderParticipationList();
}

// renderParticipationList is the keyboard way to the participation toggles: one labelled checkbox
// per municipality, the same switch as the map popup's.
function renderParticipationList() {
  const box = $('participation-list');
  const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.code : null;
  box.replaceChildren();
  const codes = [...state.munis.keys()].sort();
  for (const code of codes) {
    const id = `part-${code}`;
    const cb = el('input', { type: 'checkbox', id });
    cb.dataset.code = code;
    cb.checked = participates(code);
    cb.addEventListener('change', async () => {
      cb.disabled = true;
      try { await toggleParticipation(code, cb.checked); } catch (err) { cb.checked = !cb.checked; fail(err); }
      cb.disabled = false;
      const again = box.querySelector(`input[data-code="${code}"]`);
      if (again) again.focus();
    });
    box.append(el('div', null, cb, el('label', { for: id }, muniName(code))));
    if (focused === code) cb.focus();
  }
}

function renderScenarioSelect() {
  const sel = $('scenario-select');
  sel.replaceChildren();
  for (const sc of state.scenarios) {
    const o = el('option', { value: sc.id, text: `${sc.name || sc.id}` });
    if (state.scenario && sc.id === state.scenario.id) o.selected = true;
    sel.append(o);
  }
}

async function selectScenario(sc) {
  state.scenario = sc;
  try { localStorage.setItem('tabane.scenario', String(sc.id)); } catch { /* ignore */ }
  renderScenarioSelect();
  fillForm(sc);
  pm.setParticipation(participationMap());
  await pins.load();
}

async function saveScenario() {
  const body = formBody();
  const sc = await api.patchScenario(state.scenario.id, body);
  state.scenario = sc;
  state.scenarios = state.scenarios.map((s) => (s.id === sc.id ? sc : s));
  renderScenarioSelect();
  return sc;
}

// copyScenario (複製して新規): the server copies the scenario with everything stored on it, its
// pins included; the form's values (perhaps not saved yet) then go onto the copy.
async function copyScenario() {
  const body = formBody();
  body.name = t('scenario.copyname', { name: body.name });
  const copy = await api.duplicateScenario(state.scenario.id, body.name);
  let sc = copy;
  let refused = null;
  try { sc = await api.patchScenario(copy.id, body); } catch (err) { refused = err; }
  state.scenarios.push(sc);
  await selectScenario(sc);
  $('f-name').focus();
  if (refused) throw refused;
}

async function toggleParticipation(code, on) {
  const part = { ...(state.scenario.participation || {}) };
  part[code] = on;
  const sc = await api.patchScenario(state.scenario.id, { participation: part });
  state.scenario = sc;
  state.scenarios = state.scenarios.map((s) => (s.id === sc.id ? sc : s));
  pm.setParticipation(participationMap());
  renderNonParticipants();
  const m = state.munis.get(code);
  status('st.participation', { name: (m && m.name) || code, state: t(on ? 'mu.in' : 'mu.out') });
}

// ---------------------------------------------------------------------------------------------
// solving

function setSolving(on) {
  $('solve').disabled = on;
  $('stop').disabled = !on;
  $('save').disabled = on;
}

// lastProgress is what the progress panel shows, so that the language toggle can say it again.
let lastProgress = { p: null, st: null, stop: null };
function showProgress(p, st, stop) {
  if (st) lastProgress.st = st;
  if (p) lastProgress.p = p;
  if (stop !== undefined) lastProgress.stop = stop;
  if (st) $('p-status').textContent = t(`run.${st}`);
  const reason = lastProgress.stop || (p && p.stop_reason);
  $('p-stop').textContent = reason ? named('stop', reason) : '—';
  if (!p) return;
  $('p-elapsed').textContent = typeof p.elapsed_s === 'number' ? t('unit.s', { v: num(p.elapsed_s, 1) }) : '—';
  $('p-best').textContent = yen(p.best_cost);
  $('p-bound').textContent = yen(p.lower_bound);
  $('p-gap').textContent = pct(p.gap, 2);
  chart.add(p);
}

function redrawProgress() {
  const { p, st } = lastProgress;
  if (st) $('p-status').textContent = t(`run.${st}`);
  $('p-stop').textContent = lastProgress.stop ? named('stop', lastProgress.stop) : '—';
  if (p) {
    $('p-elapsed').textContent = typeof p.elapsed_s === 'number' ? t('unit.s', { v: num(p.elapsed_s, 1) }) : '—';
    $('p-best').textContent = yen(p.best_cost);
    $('p-bound').textContent = yen(p.lower_bound);
    $('p-gap').textContent = pct(p.gap, 2);
  }
  chart.draw();
}

async function solve() {
  if (state.active) return;
  setSolving(true);
  chart.reset();
  lastProgress = { p: null, st: null, stop: null };
  try {
    await saveScenario();
    const tl = numberOrUndef($('f-time')) || 10;
    try { localStorage.setItem('tabane.time_limit_s', String(tl)); } catch { /* ignore */ }
    const run = await api.startRun(state.scenario.id, { time_limit_s: tl, seed: 1, ...prog.runOptions() });
    status('st.solving');
    showProgress(run.progress, run.status);
    follow(run.id);
  } catch (err) {
    setSolving(false);
    fail(err);
  }
}

// follow listens to the run's server-sent events; when the stream breaks before `done` it falls
// back to polling the run.
function follow(id) {
  const active = { id, es: null, poll: null, finished: false };
  state.active = active;
  const es = new EventSource(api.url(`runs/${encodeURIComponent(id)}/events`));
  active.es = es;
  es.addEventListener('progress', (e) => {
    try { showProgress(JSON.parse(e.data), 'running'); } catch { /* ignore a bad frame */ }
  });
  es.addEventListener('done', (e) => {
    es.close();
    let run = null;
    try { run = JSON.parse(e.data); } catch { /* poll below */ }
    if (run && run.status) finishRun(active, run);
    else poll(active);
  });
  es.onerror = () => {
    if (active.finished) return;
    es.close();
    poll(active);
  };
}

function poll(active) {
  if (active.finished || active.poll) return;
  const tick = async () => {
    try {
      const run = await api.run(active.id);
      showProgress(run.progress, run.status);
      if (['done', 'failed', 'cancelled', 'interrupted'].includes(run.status)) {
        finishRun(active, run);
        return;
      }
    } catch (err) { fail(err); }
    active.poll = setTimeout(tick, 700);
  };
  active.poll = setTimeout(tick, 0);
}

async function finishRun(active, run) {
  if (active.finished) return;
  active.finished = true;
  if (active.poll) clearTimeout(active.poll);
  if (state.active === active) state.active = null;
  setSolving(false);
  showProgress(run.progress, run.status, (run.summary && run.summary.stop_reason) || null);
  if (run.status === 'failed') {
    status('st.failed', { error: run.error || '' }, true);
    window.tabane.errors.push(`run ${run.id} failed: ${run.error || ''}`);
  }
  else if (run.status === 'cancelled') status('st.stopped');
  else status('st.done');
  await refreshRuns();
  if (run.status === 'done' || run.status === 'cancelled') {
    await showRun(run.id);
    showTab('results');
  }
}

async function stop() {
  if (!state.active) return;
  try { await api.stopRun(state.active.id); } catch (err) { fail(err); }
}

// ---------------------------------------------------------------------------------------------
// runs and results

function runLabel(r) {
  const sc = state.scenarios.find((s) => s.id === r.scenario_id);
  const time = r.created_at ? new Date(r.created_at).toLocaleString(getLang() === 'ja' ? 'ja-JP' : 'en-GB') : '';
  let label = t('run.label', { time, scenario: sc ? sc.name : (r.scenario_id ?? ''), status: t(`run.${r.status}`) });
  if (r.label) label += ` ${t('mv.run_label', { parent: r.parent_run ?? '' })}`;
  if (r.summary && typeof r.summary.cost === 'number') label += ` ${yen(r.summary.cost)}`;
  if (lots) label += lots.runTag(r);
  return `#${r.id} ${label}`;
}

async function refreshRuns() {
  try {
    const runs = await api.runs();
    runs.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
    state.runs = runs;
  } catch (err) { fail(err); }
  renderRunSelects();
}

function renderRunSelects() {
  const withPlan = state.runs.filter((r) => r.status === 'done' || r.status === 'cancelled');
  const fill = (sel, chosen) => {
    sel.replaceChildren();
    for (const r of withPlan) {
      const o = el('option', { value: r.id, text: runLabel(r) });
      if (String(r.id) === String(chosen)) o.selected = true;
      sel.append(o);
    }
  };
  fill($('run-select'), state.runId);
  const a = $('cmp-a').value || (withPlan[1] && withPlan[1].id);
  const b = $('cmp-b').value || (withPlan[0] && withPlan[0].id);
  fill($('cmp-a'), a);
  fill($('cmp-b'), b);
  $('cmp-go').disabled = withPlan.length < 2;
}

// showRun loads a run's plan, shares and map layers, then shows them all at once (state.runId
// changes only when everything has arrived, so what the page reports is always one run).
async function showRun(id) {
  const [run, raw, geo, shares] = await Promise.all([api.run(id), api.plan(id), api.planGeo(id), api.shares(id)]);
  const plan = prog.planOf(raw);
  state.runId = run.id ?? id;
  renderRunSelects();
  state.run = run;
  state.plan = plan;
  state.shares = new Map(shares.map((s) => [s.code, s]));
  state.selectedBundle = null;
  pm.setPlan(geo, (plan.bundles || []).map((b) => b.id));
  moves.reset();
  pm.setIRFlags(shares.filter((x) => x.ir_violation).map((x) => x.code));
  await prog.showRun(run, plan, geo);
  renderResults();
  renderExports();
  renderLegend();
  lots.showRun(run, geo);
}

function planTotals() {
  const p = state.plan || {};
  const s = (state.run && state.run.summary) || {};
  return {
    standalone: p.standalone_total ?? s.standalone_total,
    cost: p.cost ?? s.cost,
    saving: p.saving ?? s.saving,
    savingPct: p.saving_pct ?? s.saving_pct,
    gap: p.gap ?? s.gap,
    ir: p.ir_violations ?? [],
  };
}

function renderResults() {
  const has = !!state.plan;
  $('results-empty').hidden = has;
  $('results-body').hidden = !has;
  if (!has) return;
  const tot = planTotals();
  $('t-standalone').textContent = yen(tot.standalone);
  $('t-plan').textContent = yen(tot.cost);
  $('t-saving').textContent = t('fmt.paren', { a: yen(tot.saving), b: pct100(tot.savingPct) });
  $('t-gap').textContent = pct(tot.gap, 2);
  const ir = $('t-ir');
  ir.hidden = !(tot.ir && tot.ir.length);
  if (!ir.hidden) ir.textContent = t('tot.ir', { list: tot.ir.map((c) => muniName(c)).join(t('sep.list')) });

  const tb = $('bundles-table').tBodies[0];
  tb.replaceChildren();
  for (const b of state.plan.bundles || []) {
    const depot = state.depots.get(b.depot);
    const names = (b.municipalities || []).map(muniName);
    const munis = names.length > 4 ? `${names.slice(0, 4).join(t('sep.list'))} ${t('b.more', { n: names.length - 4 })}` : names.join(t('sep.list'));
    const row = el('tr', { tabindex: 0, 'aria-selected': 'false' },
      el('th', { scope: 'row' }, el('span', { class: 'swatch', 'data-bundle': b.id }), b.id, ' ', pins.lockButton(b), ' ', moves.lotButton(b)),
      el('td', null, depot ? depot.name || b.depot : b.depot),
      el('td', { title: names.join(t('sep.list')) }, munis),
      el('td', { class: 'num' }, num(b.asset_count ?? (b.assets || []).length)),
      el('td', { class: 'num' }, yen(b.breakdown ? b.breakdown.total : b.cost)),
      el('td', { class: 'num' }, num(b.workload, 1)),
      el('td', { class: 'eq' }, bundleEquipment(b).map(eqName).join(t('sep.list'))));
    row.dataset.bundle = b.id;
    const sw = row.querySelector('.swatch');
    const o = pm.outlines.get(b.id);
    if (o) sw.style.backgroundColor = o.colour;
    activate(row, () => selectBundle(b.id, true));
    tb.append(row);
  }
  if (lots) lots.decorate();

  const mb = $('munis-table').tBodies[0];
  mb.replaceChildren();
  const rows = [...state.shares.values()].sort((a, b) => String(a.code).localeCompare(String(b.code)));
  for (const s of rows) {
    const bad = !!s.ir_violation;
    const row = el('tr', { tabindex: 0, class: bad ? 'ir' : null },
      el('th', { scope: 'row' }, s.name || muniName(s.code)),
      el('td', { class: 'num' }, yen(s.standalone)),
      el('td', { class: 'num' }, yen(s.share)),
      el('td', { class: 'num' }, pct100(s.saving_pct)),
      el('td', null, t(bad ? 'm.ir_bad' : 'm.ir_ok')));
    row.dataset.code = s.code;
    activate(row, () => {
      pm.fitMunicipality(s.code);
      openMunicipality(s.code);
      // Keyboard users land on the popup's participation switch.
      const cb = document.querySelector('.leaflet-popup .muni-popup input.participates');
      if (cb) cb.focus({ preventScroll: true });
    });
    mb.append(row);
  }
}

function bundleEquipment(b) {
  if (Array.isArray(b.equipment)) return b.equipment;
  const set = new Set();
  for (const id of b.assets || []) {
    const a = state.assets.get(id);
    const eq = a && ((a.derived && a.derived.equipment) || a.equipment);
    if (Array.isArray(eq)) eq.forEach((e) => set.add(e));
  }
  return [...set].sort();
}

// activate makes a table row act like a button: click, Enter or Space.
function activate(row, f) {
  row.addEventListener('click', f);
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); f(); }
  });
}

function selectBundle(id, zoom) {
  state.selectedBundle = id;
  for (const row of $('bundles-table').tBodies[0].rows) {
    const on = row.dataset.bundle === id;
    row.classList.toggle('selected', on);
    row.setAttribute('aria-selected', on ? 'true' : 'false');
    if (on && !$('pane-results').hidden) row.scrollIntoView({ block: 'nearest' });
  }
  pm.highlightBundle(id);
  if (zoom && id !== null) pm.fitBundle(id);
}

function muniName(code) {
  const m = state.munis.get(code);
  return (m && m.name) || code;
}

function renderExports() {
  const has = !!state.runId;
  $('exp-none').hidden = has;
  $('exp-links').hidden = !has;
  if (!has) return;
  $('exp-geojson').href = api.url(`runs/${encodeURIComponent(state.runId)}/plan.geojson`);
  $('exp-geojson').setAttribute('download', `tabane-run-${state.runId}.geojson`);
  $('exp-csv').href = api.url(`runs/${encodeURIComponent(state.runId)}/plan.csv`);
  $('exp-csv').setAttribute('download', `tabane-run-${state.runId}.csv`);
}

function printSummary() {
  showTab('results');
  window.print();
}

// beforePrint fills the summary's heading and fits the map to the print page's map box.
function beforePrint() {
  const sc = state.scenarios.find((s) => state.run && s.id === state.run.scenario_id) || state.scenario;
  $('print-meta').textContent = t('print.meta', {
    scenario: sc ? sc.name : '', run: state.runId ?? '', date: new Date().toLocaleDateString(getLang() === 'ja' ? 'ja-JP' : 'en-GB'),
  });
  renderPrintParams(sc);
  pm.invalidate();
  pm.fitAll();
}

// renderPrintParams writes the scenario's parameters into the print summary's table: what the
// plan on the page was asked to respect.
function renderPrintParams(sc) {
  const tb = $('print-params').tBodies[0];
  tb.replaceChildren();
  if (!sc) return;
  const p = sc.params || {};
  const lim = p.limits || {};
  const limit = (v, f) => (v === undefined || v === null ? t('print.unlimited') : f(v));
  const rows = [
    ['f.fy', sc.fiscal_year ?? '—'],
    ['f.fixed', yen(p.contract_fixed_cost)],
    ['f.travel', yen(p.travel_cost_per_km)],
    ['f.circuity', p.circuity != null ? num(p.circuity, 2) : '—'],
    ...Object.entries(p.equipment || {}).sort().map(([name, price]) => [eqName(name), yen(price), true]),
    ['f.min_value', limit(lim.min_value, yen)],
    ['f.max_value', limit(lim.max_value, yen)],
    ['f.max_workload', limit(lim.max_workload, (v) => t('unit.pd', { v: num(v, 1) }))],
    ['f.max_assets', limit(lim.max_assets, (v) => num(v))],
    ['f.max_distance', limit(lim.max_distance_km, (v) => `${num(v, 1)} km`)],
    ['f.mixing', p.mixed_discipline_surcharge === null ? t('print.forbidden') : t('print.surcharge', { v: yen(p.mixed_discipline_surcharge ?? 0) })],
    ['f.region_lock', t(p.region_locked ? 'print.on' : 'print.off')],
    ['f.ir', t(p.require_individual_rationality ? 'print.on' : 'print.off')],
  ];
  for (const [key, value, literal] of rows) {
    tb.append(el('tr', null, el('th', { scope: 'row' }, literal ? key : t(key)), el('td', null, String(value))));
  }
}

// ---------------------------------------------------------------------------------------------
// comparison

// The compare tab lives in compare.js (createCompare in main).

// ---------------------------------------------------------------------------------------------
// import

async function doImport(e) {
  e.preventDefault();
  const file = $('imp-file').files[0];
  if (!file) { status('st.error', { error: t('imp.nofile') }, true); return; }
  try {
    const { status: code, data } = await api.importFile(file, $('imp-kind').value, $('imp-partial').checked);
    renderImport(data, code);
    if (code < 300) {
      status('st.imported');
      await reloadInventory();
    } else {
      status('st.error', { error: t('imp.failed') }, true);
    }
  } catch (err) { fail(err); }
}

function renderImport(r, code) {
  state.importReport = { r, code };
  const rep = $('imp-report');
  rep.hidden = false;
  const rejected = r.rejected || [];
  const flagged = r.flagged || [];
  const skipped = r.skipped || [];
  let counts = t('imp.counts', {
    created: r.created ?? 0, updated: r.updated ?? 0, unchanged: r.unchanged ?? 0,
    rejected: r.rejected_count ?? rejected.length, flagged: flagged.length,
  });
  if (code >= 300) counts = `${t('imp.failed')} ${counts}`;
  const where = (x) => (x.line !== undefined ? t('imp.line', { n: x.line }) : (x.feature !== undefined ? t('imp.feature', { n: x.feature }) : ''));
  if (skipped.length) counts += ` ${t('imp.skipped_n', { n: skipped.length })}`;
  $('imp-counts').textContent = counts;
  importNote(r, rejected);
  const tb = $('imp-rows').tBodies[0];
  tb.replaceChildren();
  const what = (x) => [x.asset, x.field].filter((v) => v !== undefined && v !== null && v !== '').join(' / ');
  const rows = [['rejected', rejected], ['flagged', flagged], ['skipped', skipped]];
  for (const [kind, list] of rows) {
    for (const x of list) {
      tb.append(el('tr', { class: kind }, el('td', null, t(`imp.${kind}`)), el('td', null, where(x)),
        el('td', null, what(x)), el('td', { class: 'reason', title: x.reason ?? '' }, importReason(x, r, muniName))));
    }
  }
}

// importNote says what the report asks of the user beyond its rows: the boundary file(s) to
// import first when assets name unknown municipalities (the prefecture's N03 file, with
// ?codes= for just those), and the file's warnings (e.g. xROAD's missing over_water).
function importNote(r, rejected) {
  const codes = new Set();
  for (const x of rejected) {
    const m = x.field === 'municipality' && /^unknown municipality (\d{5})/.exec(x.reason || '');
    if (m) codes.add(m[1]);
  }
  const lines = [];
  if (codes.size) {
    const list = [...codes].sort();
    const files = [...new Set(list.map((c) => `N03-…_${c.slice(0, 2)}.geojson`))].join(', ');
    lines.push(t('imp.missing', { codes: list.join(', '), files, query: `codes=${list.join(',')}` }));
  }
  for (const w of r.warnings || []) {
    lines.push(w.field === 'over_water' ? t('imp.warn_over_water', { n: w.count }) : w.message);
  }
  const note = $('imp-note');
  note.textContent = lines.join(' ');
  note.hidden = lines.length === 0;
}

// ---------------------------------------------------------------------------------------------
// popups

function kv(rows) {
  const dl = el('dl', { class: 'kv' });
  for (const [k, v] of rows) {
    if (v === undefined || v === null || v === '') continue;
    dl.append(el('dt', null, t(k)), el('dd', null, v));
  }
  return dl;
}

function yesNo(v) {
  if (v === undefined || v === null) return null;
  return t(v ? 'yes' : 'no');
}

function assetNode(p) {
  const d = p.derived || {};
  const bundle = pm.assetBundle.get(p.id);
  const eq = (Array.isArray(p.equipment) ? p.equipment : d.equipment) || [];
  const box = el('div', { class: 'popup asset-popup' });
  box.append(el('h3', { class: 'asset-name' }, p.name || p.id));
  box.append(kv([
    ['a.id', p.id],
    ['a.kind', t(`kind.${p.kind}`) === `kind.${p.kind}` ? p.kind : t(`kind.${p.kind}`)],
    ['a.municipality', muniName(p.municipality)],
    ['a.length', p.length_m != null ? num(p.length_m, 1) : null],
    ['a.width', p.width_m != null ? num(p.width_m, 1) : null],
    ['a.year', p.year_built],
    ['a.health', health(p.health)],
    ['a.last', p.last_inspection_fy],
    ['a.fy', prog.assetYear(p.id)],
    ['a.over_rail', yesNo(p.over_rail)],
    ['a.over_water', yesNo(p.over_water)],
    ['a.cost', yen(p.cost ?? d.cost)],
    ['a.workload', (p.workload ?? d.workload) != null ? num(p.workload ?? d.workload, 2) : null],
    ['a.equipment', eq.length ? eq.map(eqName).join(t('sep.list')) : t('a.none')],
  ]));
  const why = whyLines(d);
  if (why.length) {
    box.append(el('p', { class: 'why-h' }, t('a.why')));
    box.append(el('ul', { class: 'why' }, ...why.map((w) => el('li', null, w))));
  }
  const b = el('p', { class: 'bundle-line' }, `${t('a.bundle')}: `);
  if (bundle !== undefined) {
    b.append(el('button', { type: 'button', class: 'linkish', onclick: () => { showTab('results'); selectBundle(bundle, true); } }, bundle));
  } else b.append(t('a.none'));
  b.append(moves.assetButtons(p.id));
  box.append(b);
  box.append(pins.assetButtons(p.id, lotOf(state.selectedBundle) || lotOf(bundle), lotOf(bundle)));
  return box;
}

// lotOf is the plan's lot with this id ({id, depot}), or null.
function lotOf(id) {
  const b = state.plan && id != null ? (state.plan.bundles || []).find((x) => x.id === id) : null;
  return b ? { id: b.id, depot: b.depot } : null;
}

async function openAsset(id, zoom) {
  let a = state.assets.get(id);
  let ll = pm.assets.has(id) ? pm.assets.get(id).ll : null;
  if ((!a || !ll) && state.assetsByView) {
    // Outside the view of a large inventory: fetch it; the move loads its neighbours.
    try { a = await api.asset(id); } catch (err) { fail(err); return; }
    ll = [a.lat, a.lon];
  }
  if (!a || !ll) return;
  if (zoom) pm.map.setView(ll, Math.max(pm.map.getZoom(), 14));
  pm.popup(ll, assetNode(a));
  const bundle = pm.assetBundle.get(id);
  if (bundle !== undefined) selectBundle(bundle, false);
}

function municipalityNode(code) {
  const m = state.munis.get(code) || { code };
  const s = state.shares.get(code);
  const on = participates(code);
  const id = `mu-part-${code}`;
  const box = el('div', { class: 'popup muni-popup' });
  box.append(el('h3', { class: 'muni-name' }, m.name || code));
  box.append(kv([
    ['mu.code', m.code || code],
    ['mu.region', m.region],
    ['mu.assets', m.asset_count != null ? num(m.asset_count) : null],
    ['mu.standalone', s ? yen(s.standalone) : null],
    ['mu.share', s ? yen(s.share) : null],
    ['mu.saving', s ? t('fmt.paren', { a: yen(s.saving), b: pct100(s.saving_pct) }) : null],
  ]));
  const cb = el('input', { type: 'checkbox', id, class: 'participates' });
  cb.checked = on;
  cb.addEventListener('change', async () => {
    cb.disabled = true;
    try { await toggleParticipation(code, cb.checked); } catch (err) { cb.checked = !cb.checked; fail(err); }
    cb.disabled = false;
  });
  box.append(el('p', { class: 'check' }, cb, el('label', { for: id }, t('mu.participates'))));
  return box;
}

function openMunicipality(code, latlng) {
  const m = pm.munis.get(code);
  if (!m) return;
  const at = latlng || m.layer.getBounds().getCenter();
  pm.popup(at, municipalityNode(code));
}

function openDepot(id, ll) {
  const d = state.depots.get(id) || { id };
  let bundle;
  for (const [b, o] of pm.outlines) if (o.depot === id) bundle = b;
  const box = el('div', { class: 'popup depot-popup' });
  box.append(el('h3', null, d.name || id));
  box.append(kv([['a.id', id], ['a.municipality', d.municipality ? muniName(d.municipality) : null], ['a.bundle', bundle]]));
  pm.popup(ll, box);
  if (bundle !== undefined) selectBundle(bundle, false);
}

// ---------------------------------------------------------------------------------------------
// legend

function renderLegend() {
  const box = $('map-legend');
  box.replaceChildren();
  box.append(el('strong', null, t('legend.kinds')));
  const present = new Set([...state.assets.values()].map((a) => a.kind));
  for (const [kind, colour] of Object.entries(kindColours)) {
    if (!present.has(kind)) continue;
    const sw = el('span', { class: 'dot' });
    sw.style.backgroundColor = colour;
    box.append(el('div', null, sw, t(`kind.${kind}`)));
  }
  const dep = el('span', { class: 'dot depot' });
  box.append(el('div', null, dep, t('kind.depot')));
  const out = el('span', { class: 'dot out' });
  box.append(el('div', null, out, t('legend.out')));
  if ([...state.shares.values()].some((x) => x.ir_violation)) {
    box.append(el('div', null, el('span', { class: 'dot ir' }), t('legend.ir')));
  }
  if (state.plan) box.append(el('div', { class: 'small' }, t('legend.bundles')));
  for (const l of prog ? prog.legend() : []) {
    const sw = l.colour ? el('span', { class: 'dot' }) : null;
    if (sw) sw.style.backgroundColor = l.colour;
    box.append(el('div', { class: l.colour ? null : 'small' }, sw, l.text));
  }
  if (state.assetsTruncated) box.append(el('div', { class: 'small truncated' }, t('legend.truncated', { n: num(state.assetLimit) })));
}

// ---------------------------------------------------------------------------------------------
// loading

async function reloadInventory() {
  const [mfc, dfc, count] = await Promise.all([api.municipalitiesGeo(), api.depotsGeo(), api.assetCount()]);
  state.munis = new Map((mfc.features || []).map((f) => [f.properties.code, f.properties]));
  state.depots = new Map((dfc.features || []).map((f) => [f.properties.id, f.properties]));
  pm.setMunicipalities(mfc);
  pm.setDepots(dfc);
  // The asset layer holds the whole inventory up to the server's asset_layer_limit; a larger one
  // (a million assets would take gigabytes of the browser's memory) is loaded by the map's view,
  // at most that many at a time, again after every move.
  state.assetLimit = state.settings.asset_layer_limit || 50000;
  state.assetsByView = count > state.assetLimit;
  if (state.assetsByView) await loadAssetsInView();
  else showAssets(await api.assetsGeo());
  pm.setParticipation(participationMap());
  renderLegend();
}

function showAssets(afc) {
  state.assets = new Map((afc.features || []).map((f) => [f.properties.id, f.properties]));
  pm.setAssets(afc);
}

// loadAssetsInView replaces the asset layer by the assets in the map's view; an answer older than
// the one shown is dropped (answers of two moves may arrive out of order).
let viewAsked = 0;
let viewShown = 0;
async function loadAssetsInView() {
  const b = pm.map.getBounds();
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x)).toFixed(5);
  const bbox = [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)];
  const mine = ++viewAsked;
  const afc = await api.assetsGeoIn(bbox, state.assetLimit);
  if (mine < viewShown) return;
  viewShown = mine;
  state.assetBBox = bbox.join(',');
  state.assetsTruncated = (afc.features || []).length >= state.assetLimit;
  showAssets(afc);
  renderLegend();
}

async function loadScenarios() {
  state.scenarios = await api.scenarios();
  let chosen = null;
  let saved = null;
  try { saved = localStorage.getItem('tabane.scenario'); } catch { /* ignore */ }
  if (saved) chosen = state.scenarios.find((s) => String(s.id) === saved) || null;
  if (!chosen && state.scenarios.length) {
    chosen = [...state.scenarios].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)))[0];
  }
  if (!chosen) {
    // A first visit: create a scenario with the server's defaults so the form has values to show.
    chosen = await api.createScenario({ name: t('scenario.default'), fiscal_year: new Date().getFullYear() + 1 });
    state.scenarios.push(chosen);
  }
  await selectScenario(chosen);
}

function wire() {
  $('lang-toggle').addEventListener('click', () => setLang(getLang() === 'ja' ? 'en' : 'ja'));
  onLang(() => {
    if (statusKey) status(statusKey, statusVars, $('status').classList.contains('error'));
    if (state.scenario) {
      for (const label of $('equipment-fields').querySelectorAll('label[data-eq]')) label.textContent = eqName(label.dataset.eq);
    }
    renderRunSelects();
    redrawProgress();
    renderResults();
    cmp.render();
    renderPrintParams(state.scenarios.find((s) => state.run && s.id === state.run.scenario_id) || state.scenario);
    if (state.importReport) renderImport(state.importReport.r, state.importReport.code);
    renderLegend();
    pm.closePopup();
    if (state.selectedBundle) selectBundle(state.selectedBundle, false);
  });
  $('scenario-form').addEventListener('submit', (e) => { e.preventDefault(); solve(); });
  $('save').addEventListener('click', async () => {
    try { await saveScenario(); status('st.saved'); } catch (err) { fail(err); }
  });
  $('stop').addEventListener('click', stop);
  $('scenario-new').addEventListener('click', () => copyScenario().catch(fail));
  $('scenario-select').addEventListener('change', async (e) => {
    const sc = state.scenarios.find((s) => String(s.id) === e.target.value);
    if (sc) {
      try { await selectScenario(await api.scenario(sc.id)); } catch (err) { fail(err); }
    }
  });
  for (const r of ['f-mix-forbidden', 'f-mix-surcharge']) {
    $(r).addEventListener('change', () => { $('f-surcharge').disabled = $('f-mix-forbidden').checked; });
  }
  $('run-select').addEventListener('change', (e) => showRun(e.target.value).catch(fail));
  $('cmp-go').addEventListener('click', () => cmp.run().catch(fail));
  $('import-form').addEventListener('submit', doImport);
  $('exp-print').addEventListener('click', printSummary);
  for (const input of document.querySelectorAll('input.amount')) wireAmount(input);
  window.addEventListener('beforeprint', beforePrint);
  window.addEventListener('afterprint', () => pm.invalidate());
  window.matchMedia('print').addEventListener('change', (e) => (e.matches ? beforePrint() : pm.invalidate()));
  try {
    const tl = localStorage.getItem('tabane.time_limit_s');
    if (tl) $('f-time').value = tl;
  } catch { /* ignore */ }
}

// window.tabane is the page's hook for tests and for curious users in the console.
function exposeHook() {
  window.tabane = {
    ready: false,
    errors: [], // messages of the failures shown in the status line
    stats: () => ({
      ...pm.stats(),
      scenario: state.scenario ? state.scenario.id : null,
      run: state.runId,
      bundles_rows: $('bundles-table').tBodies[0].rows.length,
      municipality_rows: $('munis-table').tBodies[0].rows.length,
      solving: !!state.active,
      progress_points: chart.points.length,
      run_status: state.run ? state.run.status : null,
      selected_bundle: state.selectedBundle,
      highlighted_bundle: pm.highlighted,
      lang: getLang(),
      asset_layer: state.assetsByView ? 'view' : 'all',
      asset_bbox: state.assetBBox,
      assets_truncated: state.assetsTruncated,
      pins: pins ? pins.count() : 0,
      programme: prog ? prog.stats() : null,
      marked_assets: pm.marked.size,
      ...(lots ? lots.stats() : {}),
    }),
    // focusAsset centres the map on an asset and returns where it is drawn on the page.
    // It waits for a running zoom or pan animation to end first: Leaflet would otherwise move the
    // map to that animation's target after this view is set.
    focusAsset: async (id, zoom = 16) => {
      const a = pm.assets.get(id);
      if (!a) return null;
      await pm.settled();
      pm.map.setView(a.ll, zoom, { animate: false });
      await pm.settled();
      return pm.pagePoint(a.ll);
    },
    openMunicipality: (code) => { openMunicipality(code); return !!pm.munis.get(code); },
    openAsset: (id) => { openAsset(id, true); return !!pm.assets.get(id); },
    selectBundle: (id) => selectBundle(id, true),
    movesSelected: () => (moves ? moves.selected() : []), // the assets selected for a move (moves.js)
    setYear: (fy) => prog.setYear(fy),
    // measureRedraw zooms in (or out) one level without animation and resolves with the
    // milliseconds until the frame after the canvas redraw (for the benchmark of 20,000 assets).
    measureRedraw: (dz = 1) => new Promise((resolve) => {
      const t0 = performance.now();
      pm.map.setZoom(pm.map.getZoom() + dz, { animate: false });
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    }),
    map: () => pm.map,
    chartLabels: () => chart.labels, // the progress chart's axis texts (top, bottom)
  };
}

async function main() {
  initLang();
  applyStatic();
  status('st.loading');
  wireTabs();
  pm = new PlanMap($('map'), {
    onAsset: (id) => openAsset(id, false),
    onMunicipality: (code, ll) => openMunicipality(code, ll),
    onDepot: (id, ll) => openDepot(id, ll),
  });
  let moved = null;
  pm.map.on('moveend', () => {
    if (!state.assetsByView) return;
    clearTimeout(moved);
    moved = setTimeout(() => loadAssetsInView().catch(fail), 150);
  });
  chart = new ProgressChart($('progress-chart'));
  chart.draw();
  cmp = createCompare({
    api, pm, el, activate, eqName,
    openAsset: (id) => openAsset(id, true),
    assetName: (id) => { const a = state.assets.get(id); return a && a.name ? t('fmt.paren', { a: a.name, b: id }) : id; },
    visible: () => !$('pane-compare').hidden,
  });
  exposeHook();
  wire();
  const pinsBox = el('section', { id: 'pins-panel', class: 'pins', 'aria-live': 'polite' });
  $('scenario-form').after(pinsBox);
  pins = createPins({
    scenario: () => state.scenario,
    list: pinsBox,
    depotName: (id) => { const d = state.depots.get(id); return (d && d.name) || id; },
    done: (key, vars) => status(key, vars),
    fail,
  });
  const lotsNotes = el('div', { id: 'lots-notes' });
  $('t-ir').after(lotsNotes);
  lots = createLots({
    api, pm, notes: lotsNotes, lockBox: $('f-region-lock'), fail,
    runId: () => state.runId,
    munis: () => state.munis,
    regionOrder: ['北和', '西和', '中和', '東和', '南和'],
    depotName: (id) => { const d = state.depots.get(id); return (d && d.name) || id; },
  });
  const movesBox = el('section', { id: 'moves-panel', class: 'moves' });
  const lotWhyBox = el('div', { id: 'lot-why' });
  $('t-ir').after(movesBox);
  $('bundles-table').closest('.tablewrap').after(lotWhyBox);
  moves = createMoves({
    pm, panel: movesBox, lotBox: lotWhyBox,
    runId: () => state.runId, plan: () => state.plan,
    depotName: (id) => { const d = state.depots.get(id); return (d && d.name) || id; },
    muniName, openAsset: (id) => openAsset(id, true), showResults: () => showTab('results'),
    showRun, refreshRuns, status: (key, vars) => status(key, vars), fail,
  });
  prog = createProgramme({
    map: pm,
    form: $('programme-slot'),
    results: $('programme-results'),
    munis: () => state.munis,
    scenario: () => state.scenario,
    save: saveScenario,
    status,
    fail,
    changed: renderLegend,
  });
  try {
    state.settings = (await api.settings()) || {};
    if (state.settings.tile_url) pm.setTiles(state.settings.tile_url, state.settings.tile_attribution);
    await reloadInventory();
    lots.syncMuniLabels();
    await loadScenarios();
    await refreshRuns();
    // A counterpart (lots.js) prices the area lock of another run: it is not the plan to show.
    const mine = state.runs.find((r) => state.scenario && r.scenario_id === state.scenario.id && !r.counterpart_of && (r.status === 'done' || r.status === 'cancelled'));
    const any = mine || state.runs.find((r) => !r.counterpart_of && (r.status === 'done' || r.status === 'cancelled'));
    if (any) await showRun(any.id);
    else { renderResults(); renderExports(); }
    const running = state.runs.find((r) => state.scenario && r.scenario_id === state.scenario.id && !r.counterpart_of && (r.status === 'running' || r.status === 'queued'));
    if (running) { setSolving(true); follow(running.id); }
    status('st.ready');
  } catch (err) {
    fail(err);
  }
  window.tabane.readyAt = performance.now();
  window.tabane.ready = true;
}

main();
