// The five-year programme on the planner's page (docs/programme.md): the scenario's `programme`
// panel (horizon, lot length, bring-forward, year caps, budgets per municipality with a quick fill
// from the standalone cost) and, for a programme run, the year view: a year selector that shows one
// year's lots and assets on the map (or all years coloured by year), a bar chart of each year's
// value and workload against the caps, and the municipality × year payments against the budgets
// with the CSV export. A one-year scenario and its runs are untouched: the panel stays off and the
// year view hidden. Every string is set with textContent; the chart is SVG built node by node.

import { api } from './api.js';
import { t, onLang, yen, num, million, amountText, parseAmount } from './i18n.js';

const svgNS = 'http://www.w3.org/2000/svg';

// greyed is the style of a planned asset inspected in another year than the one shown.
const greyed = { color: '#888', weight: 0.5, fillColor: '#b4b4b4', fillOpacity: 0.2, opacity: 0.3 };

// yearColours tell the years apart on the map's "all years" view and in the chart (ColorBrewer
// Dark2, then more): five years need five clearly different hues.
const yearColours = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#1f78b4', '#666666', '#b15928'];
export function yearColour(k) { return yearColours[((k % yearColours.length) + yearColours.length) % yearColours.length]; }

// h builds an HTML element (or an SVG one when ns is given); strings become text nodes.
function h(tag, attrs, ...children) {
  const e = attrs && attrs.ns ? document.createElementNS(attrs.ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'ns' || v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const s = (tag, attrs, ...children) => h(tag, { ns: svgNS, ...attrs }, ...children);

// intOf reads an integer input; blank is undefined, anything else not an integer NaN.
function intOf(input) {
  const v = parseAmount(input.value.trim());
  if (v === undefined) return undefined;
  return Number.isInteger(v) ? v : NaN;
}

// amountInput makes a text input an amount field: thousands separators set when it is left.
function amountInput(input) {
  input.classList.add('amount');
  input.setAttribute('inputmode', 'numeric');
  input.setAttribute('autocomplete', 'off');
  input.addEventListener('blur', () => {
    const v = parseAmount(input.value);
    if (Number.isFinite(v)) input.value = amountText(v);
  });
  return input;
}

// createProgramme wires the programme panel into the scenario form (opts.form: the element the
// panel goes before) and the year view into the results (opts.results: its container). opts.map is
// the PlanMap; opts.munis() the municipalities (code → properties); opts.scenario() the current
// scenario; opts.save() saves the form and resolves with the scenario; opts.status(key, vars, isError)
// and opts.fail(err) report.
export function createProgramme(opts) {
  const pm = opts.map;
  const ui = {};
  let budgets = new Map(); // code → [value or '' per year], the table's inputs as typed
  let view = null; // the shown programme run: {run, years, budgets, plan, yearOf, lotsByYear}
  let year = null; // null: no year view; 'all'; or a fiscal year

  // --- the scenario form's panel ----------------------------------------------------------------
  function field(id, key, attrs) {
    const input = h('input', { id, type: 'number', step: 1, ...attrs });
    const label = h('label', { for: id, 'data-k': key, text: t(key) });
    return [label, input];
  }

  function buildForm() {
    const on = h('input', { type: 'checkbox', id: 'f-prog-on' });
    const onLabel = h('label', { for: 'f-prog-on', 'data-k': 'pg.on', text: t('pg.on') });
    const grid = h('div', { class: 'grid2', id: 'prog-fields' });
    const [lFirst, first] = field('f-prog-first', 'pg.first_fy', { min: 2000, max: 2100 });
    const [lYears, years] = field('f-prog-years', 'pg.years', { min: 1, max: 100 });
    const [lCycle, cycle] = field('f-prog-cycle', 'pg.cycle', { min: 1, max: 100 });
    const [lContract, contract] = field('f-prog-contract', 'pg.contract', { min: 1, max: 100 });
    const [lAdvance, advance] = field('f-prog-advance', 'pg.advance', { min: 0, max: 99 });
    const [lCapV, capValue] = field('f-prog-cap-value', 'pg.cap_value', {});
    capValue.type = 'text';
    amountInput(capValue);
    const [lCapW, capWorkload] = field('f-prog-cap-workload', 'pg.cap_workload', { min: 0, step: 'any' });
    const [lIter, iter] = field('f-prog-iter', 'pg.iterations', { min: 1 });
    grid.append(lFirst, first, lYears, years, lCycle, cycle, lContract, contract, lAdvance, advance, lCapV, capValue, lCapW, capWorkload, lIter, iter);
    const yearly = h('input', { type: 'checkbox', id: 'f-prog-yearly' });
    const yearlyBox = h('div', { class: 'checks' }, yearly, h('label', { for: 'f-prog-yearly', 'data-k': 'pg.compare_yearly', text: t('pg.compare_yearly') }));

    const pct = h('input', { id: 'f-prog-pct', type: 'number', min: 0, step: 1, value: 100 });
    const basis = h('select', { id: 'f-prog-basis' },
      h('option', { value: 'year', 'data-k': 'pg.basis_year', text: t('pg.basis_year') }),
      h('option', { value: 'mean', 'data-k': 'pg.basis_mean', text: t('pg.basis_mean') }));
    const fill = h('button', { type: 'button', id: 'prog-fill', 'data-k': 'pg.fill', text: t('pg.fill') });
    const clear = h('button', { type: 'button', id: 'prog-clear', 'data-k': 'pg.clear', text: t('pg.clear') });
    const quick = h('div', { class: 'prog-quick' },
      h('label', { for: 'f-prog-pct', 'data-k': 'pg.quick', text: t('pg.quick') }), pct,
      h('label', { for: 'f-prog-basis', class: 'sr-only', 'data-k': 'pg.basis', text: t('pg.basis') }), basis, fill, clear);
    const table = h('table', { class: 'data', id: 'prog-budget-input' }, h('thead'), h('tbody'));
    const details = h('details', { id: 'prog-budgets-box' },
      h('summary', { 'data-k': 'pg.budgets', text: t('pg.budgets') }),
      h('p', { class: 'hint', 'data-k': 'pg.budgets_hint', text: t('pg.budgets_hint') }),
      quick, h('div', { class: 'tablewrap' }, table));
    const body = h('div', { id: 'prog-body' }, grid, yearlyBox, details);
    const box = h('fieldset', { id: 'programme' },
      h('legend', { 'data-k': 'pg.legend', text: t('pg.legend') }),
      h('div', { class: 'checks' }, on, onLabel), body);
    Object.assign(ui, { box, on, body, first, years, cycle, contract, advance, capValue, capWorkload, iter, yearly, pct, basis, table });
    on.addEventListener('change', () => {
      if (on.checked && !first.value) {
        const sc = opts.scenario();
        first.value = String((sc && sc.fiscal_year) || new Date().getFullYear() + 1);
      }
      if (on.checked && !years.value) years.value = '5';
      readBudgets();
      renderBudgetInputs();
      showBody();
    });
    for (const input of [first, years]) input.addEventListener('change', () => { readBudgets(); renderBudgetInputs(); });
    fill.addEventListener('click', () => quickFill().catch(opts.fail));
    clear.addEventListener('click', () => { budgets = new Map(); renderBudgetInputs(); });
    opts.form.before(box);
    showBody();
  }

  function showBody() { ui.body.hidden = !ui.on.checked; }

  function horizon() {
    const first = intOf(ui.first);
    const years = intOf(ui.years);
    if (!Number.isInteger(first) || !Number.isInteger(years) || years < 1 || years > 100) return null;
    return { first, years };
  }

  // readBudgets keeps what is typed in the budget table (as text, per code and year index).
  function readBudgets() {
    for (const input of ui.table.querySelectorAll('input[data-code]')) {
      const row = budgets.get(input.dataset.code) || [];
      row[Number(input.dataset.k)] = input.value.trim();
      budgets.set(input.dataset.code, row);
    }
  }

  // renderBudgetInputs draws one row per municipality and one amount input per year of the horizon.
  function renderBudgetInputs() {
    const hz = horizon();
    const head = h('tr', null, h('th', { scope: 'col', text: t('pg.muni') }));
    const tb = h('tbody');
    if (hz) {
      for (let k = 0; k < hz.years; k += 1) head.append(h('th', { scope: 'col', class: 'num', text: t('pg.fy', { fy: hz.first + k }) }));
      const codes = [...opts.munis().keys()].sort();
      for (const code of codes) {
        const m = opts.munis().get(code);
        const name = (m && m.name) || code;
        const row = h('tr', null, h('th', { scope: 'row', text: name }));
        row.dataset.code = code;
        const typed = budgets.get(code) || [];
        for (let k = 0; k < hz.years; k += 1) {
          const input = amountInput(h('input', { type: 'text', 'aria-label': `${name} ${t('pg.fy', { fy: hz.first + k })}` }));
          input.dataset.code = code;
          input.dataset.k = String(k);
          input.value = typed[k] ?? '';
          row.append(h('td', null, input));
        }
        tb.append(row);
      }
    }
    ui.table.tHead.replaceChildren(head);
    ui.table.tBodies[0].replaceWith(tb);
  }

  // fill shows a scenario's programme (none: the panel is off, the fields keep their defaults).
  function fill(sc) {
    const p = sc && sc.programme;
    ui.on.checked = !!p;
    const set = (input, v) => { input.value = v === undefined || v === null ? '' : String(v); };
    set(ui.first, p ? p.first_fy : '');
    set(ui.years, p ? p.years : '');
    set(ui.cycle, p ? p.cycle_years : '');
    set(ui.contract, p ? p.contract_years : '');
    set(ui.advance, p ? p.advance_max_years : '');
    const lim = (p && p.year_limits) || {};
    ui.capValue.value = amountText(lim.max_value);
    set(ui.capWorkload, lim.max_workload);
    budgets = new Map();
    const H = p ? p.years : 0;
    for (const [code, b] of Object.entries((p && p.budgets) || {})) {
      const list = Array.isArray(b) ? b : Array.from({ length: H }, () => b);
      budgets.set(code, list.map((v) => amountText(v)));
    }
    renderBudgetInputs();
    showBody();
  }

  // body is the scenario's `programme` from the form: null when the panel is off. A budget row is
  // sent as one number when every year has the same figure, else one figure per year; a row with
  // some years blank is an error naming the municipality (the model has no "no budget this year").
  function body() {
    if (!ui.on.checked) return null;
    readBudgets();
    const p = {};
    const put = (k, input) => {
      const v = intOf(input);
      if (v !== undefined) p[k] = v;
    };
    put('first_fy', ui.first);
    put('years', ui.years);
    put('cycle_years', ui.cycle);
    put('contract_years', ui.contract);
    put('advance_max_years', ui.advance);
    const lim = {};
    const cv = parseAmount(ui.capValue.value);
    if (cv !== undefined) lim.max_value = cv;
    const cw = parseAmount(ui.capWorkload.value);
    if (cw !== undefined) lim.max_workload = cw;
    if (Object.keys(lim).length) p.year_limits = lim;
    const H = p.years || 0;
    const out = {};
    for (const [code, row] of [...budgets.entries()].sort()) {
      const vals = Array.from({ length: H }, (_, k) => parseAmount(row[k] ?? ''));
      const given = vals.filter((v) => v !== undefined);
      if (given.length === 0) continue;
      if (given.length < H) throw new Error(t('pg.partial', { name: muniName(code), n: given.length, H }));
      out[code] = vals.every((v) => v === vals[0]) ? vals[0] : vals;
    }
    if (Object.keys(out).length) p.budgets = out;
    return p;
  }

  // runOptions are the programme's options of a new run: max_iterations (a short or reproducible
  // solve) and compare_yearly (also plan each year alone, for the saving of planning the years
  // together); none for a one-year scenario.
  function runOptions() {
    if (!ui.on.checked) return {};
    const o = {};
    const n = intOf(ui.iter);
    if (Number.isInteger(n) && n > 0) o.max_iterations = n;
    if (ui.yearly.checked) o.compare_yearly = true;
    return o;
  }

  // quickFill sets every municipality's budget to x % of its standalone cost: each year's own
  // (what it would pay alone for the inspections due that year) or their mean over the horizon (a
  // level budget). The standalone costs are the server's baseline of the saved scenario
  // (GET /scenarios/{id}/standalone: docs/programme.md's standalone cost by due year).
  async function quickFill() {
    const x = Number(ui.pct.value);
    if (!Number.isFinite(x) || x < 0) throw new Error(t('pg.bad_pct'));
    await opts.save();
    const rows = (await api.standalone(opts.scenario().id)).rows || [];
    const hz = horizon();
    if (!hz) return;
    const alone = new Map();
    for (const r of rows) {
      const k = r.fy - hz.first;
      if (k < 0 || k >= hz.years) continue;
      if (!alone.has(r.municipality)) alone.set(r.municipality, Array(hz.years).fill(0));
      alone.get(r.municipality)[k] += r.standalone || 0;
    }
    budgets = new Map();
    for (const [code, list] of alone) {
      const mean = list.reduce((a, b) => a + b, 0) / hz.years;
      budgets.set(code, list.map((v) => amountText(Math.round((ui.basis.value === 'mean' ? mean : v) * x / 100))));
    }
    renderBudgetInputs();
    opts.status('pg.filled', { n: alone.size, pct: x });
  }

  function muniName(code) {
    const m = opts.munis().get(code);
    return (m && m.name) || code;
  }

  // --- the results' year view -------------------------------------------------------------------
  function buildResults() {
    const box = opts.results;
    ui.res = box;
    ui.yearBar = h('div', { class: 'prog-years', role: 'group', id: 'prog-years' });
    ui.saving = h('p', { id: 'prog-saving', class: 'prog-saving' });
    ui.chart = h('div', { id: 'prog-chart', class: 'prog-chart' });
    ui.budgetTable = h('table', { class: 'data', id: 'prog-budgets' }, h('thead'), h('tbody'));
    ui.csv = h('a', { id: 'prog-csv', class: 'button', download: true, 'data-k': 'pg.csv', text: t('pg.csv') });
    box.append(
      h('h2', { id: 'prog-title', 'data-k': 'pg.title', text: t('pg.title') }),
      ui.saving,
      h('p', { class: 'row' }, h('span', { id: 'prog-years-label', 'data-k': 'pg.year_view', text: t('pg.year_view') }), ui.yearBar),
      ui.chart,
      h('h3', { 'data-k': 'pg.payments', text: t('pg.payments') }),
      h('div', { class: 'tablewrap' }, ui.budgetTable),
      h('p', { class: 'actions' }, ui.csv));
    ui.yearBar.setAttribute('aria-labelledby', 'prog-years-label');
    box.hidden = true;
  }

  // planOf reads a run's /plan for the one-year tables: a programme run's report keeps its lots
  // priced (breakdown, workload, municipalities) in evaluation.bundles and their years in
  // bundles[].fy, so the lots become those bundle reports with their fy; the IR breaches are the
  // evaluation's. A one-year plan is returned as it is.
  function planOf(raw) {
    const ev = raw && raw.evaluation;
    if (!ev || !Array.isArray(ev.bundles) || !raw.schedule) return raw;
    const fy = new Map((raw.bundles || []).map((b) => [b.id, b.fy]));
    return { ...raw, bundles: ev.bundles.map((b) => ({ ...b, fy: fy.get(b.id) })), ir_violations: ev.ir_violations || [] };
  }

  // showRun shows a run's year view when it is a programme run (its lots carry `fy`), else hides
  // it and gives the map back its one-year colours.
  async function showRun(run, plan, geo) {
    const isProgramme = (plan && plan.schedule && Object.keys(plan.schedule).length > 0) ||
      ((plan && plan.bundles) || []).some((b) => b.fy !== undefined && b.fy !== null);
    if (!isProgramme) {
      view = null;
      year = null;
      pm.styleHook = null;
      ui.res.hidden = true;
      return;
    }
    const id = run.id;
    const [years, bud] = await Promise.all([api.years(id), api.budgets(id)]);
    const yearOf = new Map();
    for (const f of (geo && geo.features) || []) {
      const p = f.properties || {};
      if (p.role !== 'depot' && p.role !== 'outline' && p.id !== undefined && p.fy !== undefined && p.fy !== null) yearOf.set(p.id, p.fy);
    }
    // A lot is shown in every year of its block (a five-year lot in each of its five years), as
    // /years counts it.
    const L = (plan.evaluation && plan.evaluation.contract_years) || 1;
    const lotsByYear = new Map();
    for (const b of plan.bundles || []) {
      if (typeof b.fy !== 'number') continue;
      for (let y = b.fy; y < b.fy + L; y += 1) {
        if (!lotsByYear.has(y)) lotsByYear.set(y, new Set());
        lotsByYear.get(y).add(b.id);
      }
    }
    view = { run, plan, years: years.years || [], budgets: bud, yearOf, lotsByYear };
    year = 'all';
    ui.res.hidden = false;
    ui.csv.href = api.url(`runs/${encodeURIComponent(id)}/budgets?format=csv`);
    ui.csv.setAttribute('download', `tabane-run-${id}-budgets.csv`);
    render();
  }

  function render() {
    if (!view) return;
    renderYearBar();
    renderSaving();
    renderChart();
    renderBudgets();
    applyYear();
  }

  function renderYearBar() {
    const buttons = [['all', t('pg.all_years')], ...view.years.map((y) => [y.fy, t('pg.fy', { fy: y.fy })])];
    ui.yearBar.replaceChildren(...buttons.map(([fy, label], i) => {
      const b = h('button', { type: 'button', class: 'yearbtn', 'aria-pressed': String(fy === year) });
      b.dataset.fy = String(fy);
      if (fy !== 'all') {
        const sw = h('span', { class: 'swatch' });
        sw.style.backgroundColor = yearColour(i - 1);
        b.append(sw);
      }
      b.append(label);
      b.addEventListener('click', () => setYear(fy));
      return b;
    }));
  }

  // renderSaving says what planning the years together saved against planning each year alone,
  // when the run's report has the comparison.
  function renderSaving() {
    const p = view.plan || {};
    const parts = [];
    if (typeof p.cost === 'number') parts.push(t('pg.cost', { v: yen(p.cost) }));
    if (typeof p.yearly_saving === 'number' && p.yearly && typeof p.yearly.total === 'number') {
      parts.push(t('pg.yearly_saving', { v: yen(p.yearly_saving), alone: yen(p.yearly.total) }));
    } else if (p.yearly && p.yearly.feasible === false) {
      parts.push(t('pg.yearly_none'));
    }
    if (p.feasible === false) parts.push(t('pg.infeasible'));
    ui.saving.textContent = parts.join(' ');
    ui.saving.classList.toggle('warn', p.feasible === false);
  }

  // renderChart draws each year's value and workload as bars, the caps as dashed lines; the year
  // shown on the map is outlined.
  function renderChart() {
    const ys = view.years;
    const W = 360;
    const rowH = 92;
    const left = 6;
    const bw = (W - left - 6) / Math.max(1, ys.length);
    const svg = s('svg', { viewBox: `0 0 ${W} ${rowH * 2 + 20}`, width: '100%', role: 'img', 'aria-label': t('pg.chart') });
    const panel = (top, key, capKey, title, fmt) => {
      const vals = ys.map((y) => y[key] || 0);
      // The scale is the bars'; a cap far above them (more than half again the largest) would
      // flatten them, so it is drawn along the top and named there.
      const vmax = Math.max(1e-9, ...vals);
      const caps = ys.map((y) => y[capKey]).filter((c) => typeof c === 'number' && c <= vmax * 1.5);
      const hi = Math.max(vmax, ...caps) * 1.22;
      const base = top + rowH - 14;
      const yOf = (v) => base - (rowH - 30) * (Math.min(v, hi) / hi);
      svg.append(s('text', { x: left, y: top + 11, class: 'ct', text: title }));
      const off = ys.map((y) => y[capKey]).filter((c) => typeof c === 'number' && c > hi);
      if (off.length) {
        svg.append(s('text', { x: W - 8, y: top + 11, class: 'cv cap-off', 'text-anchor': 'end',
          text: t('pg.cap_off', { v: fmt(Math.min(...off)) }) }));
      }
      ys.forEach((y, i) => {
        const x = left + i * bw + bw * 0.15;
        const v = y[key] || 0;
        const over = typeof y[capKey] === 'number' && v > y[capKey] * (1 + 1e-9);
        const bar = s('rect', { x, y: yOf(v), width: bw * 0.7, height: Math.max(0, base - yOf(v)), fill: yearColour(i),
          class: `bar${over ? ' over' : ''}${y.fy === year ? ' on' : ''}`, 'data-fy': y.fy, 'data-kind': key });
        bar.append(s('title', { text: `${t('pg.fy', { fy: y.fy })}: ${fmt(v)}` }));
        svg.append(bar);
        svg.append(s('text', { x: x + bw * 0.35, y: yOf(v) - 2, class: 'cv', 'text-anchor': 'middle', text: fmt(v, true) }));
        if (typeof y[capKey] === 'number') {
          const line = s('line', { x1: left + i * bw, x2: left + (i + 1) * bw, y1: yOf(y[capKey]), y2: yOf(y[capKey]),
            class: y[capKey] > hi ? 'cap off' : 'cap', 'data-fy': y.fy });
          line.append(s('title', { text: `${t('pg.cap')}: ${fmt(y[capKey])}` }));
          svg.append(line);
        }
        if (top === 0) svg.append(s('text', { x: x + bw * 0.35, y: rowH * 2 + 16, class: 'cx', 'text-anchor': 'middle', text: String(y.fy) }));
      });
      svg.append(s('line', { x1: left, x2: W - 6, y1: base, y2: base, class: 'axis' }));
    };
    panel(0, 'value', 'cap_value', t('pg.value'), (v, short) => (short ? num(v / 1e6, 1) : million(v)));
    panel(rowH, 'workload', 'cap_workload', t('pg.workload'), (v, short) => (short ? num(v, 0) : t('unit.pd', { v: num(v, 1) })));
    const legend = h('p', { class: 'legend' }, h('span', { class: 'sw sw-cap' }), t('pg.cap'), ' ', t('pg.chart_units'));
    ui.chart.replaceChildren(svg, legend);
  }

  // renderBudgets is the municipality × year table of payments (the year shares) with the budget
  // under each; an over-budget cell is marked by class and by the word 超過 / over.
  function renderBudgets() {
    const b = view.budgets || {};
    const first = b.first_fy;
    const H = b.years || 0;
    const head = h('tr', null, h('th', { scope: 'col', text: t('pg.muni') }));
    for (let k = 0; k < H; k += 1) head.append(h('th', { scope: 'col', class: 'num', text: t('pg.fy', { fy: first + k }) }));
    ui.budgetTable.tHead.replaceChildren(head);
    const byMuni = new Map();
    for (const r of b.rows || []) {
      if (!byMuni.has(r.municipality)) byMuni.set(r.municipality, { name: r.name, cells: [] });
      byMuni.get(r.municipality).cells[r.fy - first] = r;
    }
    const tb = h('tbody');
    for (const [code, m] of [...byMuni.entries()].sort()) {
      const row = h('tr', null, h('th', { scope: 'row', text: m.name || muniName(code) }));
      row.dataset.code = code;
      let over = false;
      for (let k = 0; k < H; k += 1) {
        const r = m.cells[k];
        const td = h('td', { class: 'num' });
        if (r) {
          td.dataset.fy = String(r.fy);
          td.append(h('span', { class: 'share', text: yen(r.share) }));
          if (r.budget !== null && r.budget !== undefined) {
            td.append(h('span', { class: 'budget', text: t('pg.budget_of', { v: yen(r.budget) }) }));
          }
          if (r.over) {
            over = true;
            td.classList.add('over');
            td.append(h('span', { class: 'over-label', text: t('pg.over') }));
          }
        }
        row.append(td);
      }
      if (over) row.classList.add('has-over');
      tb.append(row);
    }
    ui.budgetTable.tBodies[0].replaceWith(tb);
  }

  // setYear shows one year (or 'all') on the map and in the selector and chart.
  function setYear(fy) {
    if (!view) return;
    year = fy;
    for (const b of ui.yearBar.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.fy === String(fy)));
    for (const r of ui.chart.querySelectorAll('rect.bar')) r.classList.toggle('on', r.dataset.fy === String(fy));
    applyYear();
  }

  // applyYear restyles the map: in one year, that year's assets keep their lot's colour and every
  // other asset of the plan is greyed, and only that year's lots keep their outlines; in all years,
  // each planned asset takes its year's colour.
  function applyYear() {
    const index = new Map(view.years.map((y, i) => [y.fy, i]));
    const lots = year === 'all' ? null : (view.lotsByYear.get(year) || new Set());
    pm.styleHook = (id, props, bundle, out) => {
      if (bundle === undefined || out) return null;
      const fy = view.yearOf.get(id);
      if (year === 'all') {
        if (fy === undefined) return null;
        return { color: '#222', weight: 0.6, fillColor: yearColour(index.get(fy) ?? 0), fillOpacity: 0.9, opacity: 0.9 };
      }
      return fy === year ? null : greyed;
    };
    for (const [b, o] of pm.outlines) {
      const show = lots === null || lots.has(b);
      if (show && !pm.outlineGroup.hasLayer(o.layer)) pm.outlineGroup.addLayer(o.layer);
      if (!show && pm.outlineGroup.hasLayer(o.layer)) pm.outlineGroup.removeLayer(o.layer);
    }
    pm.restyleAssets();
    pm.order();
    if (opts.changed) opts.changed();
  }

  // stats is what window.tabane.stats().programme reports: the year shown and what the map and the
  // tables hold for it — the planned assets the canvas draws in colour (not greyed) and how many
  // colours they take, the lots outlined, the table's rows and over-budget cells.
  function stats() {
    if (!view) return { shown: false, year: null };
    let assets = 0;
    const colours = new Set();
    for (const [id, a] of pm.assets) {
      const c = a.layer.options.fillColor;
      if (!pm.assetBundle.has(id) || c === greyed.fillColor) continue;
      assets += 1;
      colours.add(c);
    }
    let lots = 0;
    for (const o of pm.outlines.values()) if (pm.outlineGroup.hasLayer(o.layer)) lots += 1;
    return {
      shown: true,
      year,
      assets,
      lots,
      colours: colours.size,
      years: view.years.length,
      budget_rows: ui.budgetTable.tBodies[0].rows.length,
      over_cells: ui.budgetTable.querySelectorAll('td.over').length,
    };
  }

  // legend is the map legend's lines for the year view: each year's colour in "all years".
  function legend() {
    if (!view) return [];
    if (year !== 'all') return [{ text: t('pg.legend_year', { fy: year }) }];
    return view.years.map((y, i) => ({ colour: yearColour(i), text: t('pg.fy', { fy: y.fy }) }));
  }

  // assetYear is the fiscal year the shown programme run inspects an asset in (undefined: none).
  function assetYear(id) { return view ? view.yearOf.get(id) : undefined; }

  function relabel() {
    for (const e of document.querySelectorAll('#programme [data-k], #programme-results [data-k]')) e.textContent = t(e.dataset.k);
    readBudgets();
    renderBudgetInputs();
    render();
  }

  buildForm();
  buildResults();
  onLang(relabel);
  return { fill, body, runOptions, planOf, showRun, assetYear, setYear, stats, legend, isOn: () => ui.on.checked };
}
