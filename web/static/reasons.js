// The reasons the API gives in English, said in the page's language: the estimate's reasons
// from their stable codes (derived.why_codes), the import's reasons from the field and the
// shape of the reason (the import report has no codes; the English text stays in the cell's
// title). Every string comes from the table of i18n.js.

import { t, getLang, yen, num, figure, health } from './i18n.js';

// named is the table's name of a code (kind.bridge → 橋梁), else the code itself.
export function named(prefix, code) {
  const k = `${prefix}.${code}`;
  const s = t(k);
  return s === k ? code : s;
}

const rate = (v) => t('unit.yen_rate', { v: num(v, 0) });
const days = (v) => t('unit.pd_rate', { v: figure(v, 3) });

// stepText says one coded step; part decides whether base and per_metre are yen or person-days.
function stepText(r) {
  const a = r.args || {};
  const money = r.part === 'cost' ? rate : days;
  switch (r.code) {
    case 'kind_rate':
      return t('why.kind_rate', { kind: named('kind', a.kind), base: money(a.base), per_metre: money(a.per_metre), length_m: figure(a.length_m) });
    case 'over_rail':
      return r.part === 'cost'
        ? t('why.over_rail.cost', { max: rate(a.max), base: rate(a.base), per_metre: rate(a.per_metre), length_m: figure(a.length_m), extra: rate(a.extra) })
        : t('why.over_rail.workload', { extra: days(a.extra) });
    case 'damaged':
      return t('why.damaged', { health: health(a.health), factor: figure(a.factor, 3) });
    case 'kind_equipment':
      return t('why.kind_equipment', { kind: named('kind', a.kind), equipment: (a.equipment || []).map((e) => named('eq', e)).join(t('sep.list')) });
    case 'unpriced_kind':
      return t('why.unpriced_kind', { kind: a.kind });
    default: {
      const vars = {};
      for (const [k, v] of Object.entries(a)) vars[k] = typeof v === 'number' ? figure(v) : v;
      return t(`why.${r.code}`, vars);
    }
  }
}

// whyLines is the popup's list "why this estimate": one line for the cost, one for the workload,
// one per equipment step, from derived.why_codes; an answer without codes (an older server) keeps
// its English lines.
export function whyLines(d) {
  if (!Array.isArray(d.why_codes) || d.why_codes.length === 0) return Array.isArray(d.why) ? d.why.map(String) : [];
  const sep = t('why.sep');
  const of = (part) => d.why_codes.filter((r) => r.part === part).map(stepText);
  const lines = [];
  const errors = of('error');
  if (errors.length) return errors;
  const cost = of('cost');
  if (cost.length) lines.push(t('why.cost', { v: yen(d.cost), steps: cost.join(sep) }));
  const work = of('workload');
  if (work.length) lines.push(t('why.workload', { v: t('unit.pd', { v: num(d.workload, 2) }), steps: work.join(sep) }));
  for (const step of of('equipment')) lines.push(t('why.equipment', { step }));
  return lines;
}

// The shapes of the import's English reasons (data/import*.go, data/validate.go) that have their
// own Japanese sentence; any other reason is said by its field.
const importShapes = [
  [/^is required/, () => ['ir.required', {}]],
  [/^"(.*)" is not a number/, (m) => ['ir.nan', { v: m[1] }]],
  [/^(\S+) is outside (\S+)…(\S+) degrees/, (m) => ['ir.degrees', { v: m[1], lo: m[2], hi: m[3] }]],
  [/^asset id (\S+) repeats the one of (line|feature) (\d+)/, (m) => ['ir.duplicate', { id: m[1], where: t(m[2] === 'line' ? 'imp.line' : 'imp.feature', { n: m[3] }) }]],
  [/^unknown municipality (\S+)/, (m) => ['ir.unknown_muni', { code: m[1] }]],
  [/^malformed CSV \(column (\d+)\)/, (m) => ['ir.csv', { n: m[1] }]],
  [/^(\d+) fields, the header has (\d+)/, (m) => ['ir.columns', { n: m[1], m: m[2] }]],
  [/^"(.*)" is not an equipment name/, (m) => ['ir.equipment', { v: m[1] }]],
  [/^no municipality code/, () => ['ir.no_code', {}]],
  [/^owner class (\S*)/, (m) => ['ir.owner_class', { v: m[1] }]],
];

// importReason says a rejected, skipped or flagged record's reason in the page's language.
// muniName names a municipality code (names are data and stay as they are).
export function importReason(x, report, muniName) {
  const reason = x.reason ?? '';
  if (getLang() !== 'ja') return reason;
  if (x.kind === 'outside_owner' || x.kind === 'code_mismatch') {
    if (/has no boundary/.test(reason)) return t('ir.no_boundary', { muni: muniName(x.municipality), other: muniName(x.falls_in) });
    let s = t('ir.outside', { muni: muniName(x.municipality), d: num(x.distance_m), tol: num(report.tolerance_m) });
    if (x.falls_in) s += t('ir.inside', { muni: muniName(x.falls_in) });
    return s;
  }
  const field = fieldName(x.field);
  for (const [re, f] of importShapes) {
    const m = reason.match(re);
    if (!m) continue;
    const [key, vars] = f(m);
    let s = t(key, { field, ...vars });
    if (/longitude and latitude swapped/.test(reason)) s += t('ir.swapped');
    return s;
  }
  return t('ir.other', { field });
}

// fieldName is the Japanese name of an import field (lat → 緯度; equipment[0] → 機材).
function fieldName(f) {
  const base = String(f ?? '').replace(/\[\d+\]$/, '');
  const k = `fld.${base}`;
  const s = t(k);
  return s === k ? t('fld.') : s;
}
