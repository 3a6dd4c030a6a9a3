// Pins of the current scenario (docs/model.md, Pins): decisions every later run keeps. The page
// locks a lot (a closed lot pin of its assets), pins an asset to a lot, forbids an asset a depot,
// and lists the pins with remove buttons. The server checks every change (PUT
// /api/v1/scenarios/{id}/pins) and answers 422 naming the pin that cannot hold.

import { t, onLang } from './i18n.js';
import { request as send } from './api.js';

function node(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'onclick') e.addEventListener('click', v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

function emptyPins() { return { assets: {}, lots: [], forbid: [] }; }

function clonePins(p) {
  return {
    assets: { ...(p.assets || {}) },
    lots: (p.lots || []).map((l) => ({ ...l, assets: [...(l.assets || [])] })),
    forbid: (p.forbid || []).map((f) => ({ ...f })),
  };
}

// sameLot: a lot pin is the lot of a depot, and in a five-year programme (docs/programme.md) the
// lot of a depot in one block of years, named by its fy; a one-year lot has none (fy null).
function sameLot(l, depot, fy) { return l.depot === depot && (l.fy ?? null) === (fy ?? null); }

// pinDepot is the depot of an asset pin, which is a depot id or {depot, fy}.
function pinDepot(v) { return typeof v === 'string' ? v : v && v.depot; }

// withoutAsset drops asset id from every pin that would keep it elsewhere than depot: asset pins,
// lots of other depots (an open lot left empty goes), and a forbid of depot itself.
function withoutAsset(p, id, depot) {
  delete p.assets[id];
  p.lots = p.lots
    .map((l) => (l.depot === depot ? l : { ...l, assets: l.assets.filter((a) => a !== id) }))
    .filter((l) => l.closed || l.assets.length > 0);
  p.forbid = p.forbid.filter((f) => !(f.asset === id && f.depot === depot));
}

// createPins wires the pins of the scenario that opts.scenario() returns. opts.list is the element
// that lists them; opts.depotName(id) names a depot; opts.done(key, vars) reports a change;
// opts.fail(err) shows an error.
export function createPins(opts) {
  let pins = emptyPins();
  let scenarioId = null;

  async function save(next) {
    if (scenarioId === null) return;
    try {
      pins = await send('PUT', `scenarios/${encodeURIComponent(scenarioId)}/pins`, next);
      render();
      opts.done('pin.saved', { n: count() });
    } catch (err) {
      opts.fail(err);
    }
  }

  function count() { return Object.keys(pins.assets).length + pins.lots.length + pins.forbid.length; }

  async function load() {
    const sc = opts.scenario();
    scenarioId = sc ? sc.id : null;
    pins = emptyPins();
    if (scenarioId !== null) {
      try { pins = await send('GET', `scenarios/${encodeURIComponent(scenarioId)}/pins`); } catch (err) { opts.fail(err); }
    }
    render();
  }

  // lockLot keeps a lot as it is: a closed lot pin of its assets at its depot (and, in a
  // programme, in its block of years: fy).
  function lockLot(depot, assets, fy) {
    const next = clonePins(pins);
    for (const id of assets) withoutAsset(next, id, depot);
    // The lot's assets leave the other blocks' lots of the same depot too: an asset is in one.
    next.lots = next.lots
      .filter((l) => !sameLot(l, depot, fy))
      .map((l) => (l.depot === depot ? { ...l, assets: l.assets.filter((a) => !assets.includes(a)) } : l))
      .filter((l) => l.closed || l.assets.length > 0);
    next.lots.push(fy == null ? { depot, assets: [...assets], closed: true } : { depot, fy, assets: [...assets], closed: true });
    return save(next);
  }

  // pinAsset keeps an asset in the lot of depot (joining a closed lot there).
  function pinAsset(id, depot) {
    const next = clonePins(pins);
    withoutAsset(next, id, depot);
    for (const l of next.lots) if (l.depot === depot && l.closed && !l.assets.includes(id)) l.assets.push(id);
    next.assets[id] = depot;
    return save(next);
  }

  // forbidDepot keeps an asset out of the lot of depot.
  function forbidDepot(id, depot) {
    const next = clonePins(pins);
    if (pinDepot(next.assets[id]) === depot) delete next.assets[id];
    next.lots = next.lots
      .map((l) => (l.depot === depot ? { ...l, assets: l.assets.filter((a) => a !== id) } : l))
      .filter((l) => l.closed || l.assets.length > 0);
    if (!next.forbid.some((f) => f.asset === id && f.depot === depot)) next.forbid.push({ asset: id, depot });
    return save(next);
  }

  function removeAt(kind, key) {
    const next = clonePins(pins);
    if (kind === 'asset') delete next.assets[key];
    else if (kind === 'lot') next.lots.splice(key, 1);
    else next.forbid.splice(key, 1);
    return save(next);
  }

  function render() {
    for (const b of document.querySelectorAll('button.pin-lock')) {
      const fy = b.dataset.fy ? Number(b.dataset.fy) : null;
      const locked = pins.lots.some((l) => l.closed && sameLot(l, b.dataset.depot, fy));
      b.setAttribute('aria-pressed', locked ? 'true' : 'false');
      b.textContent = t(locked ? 'pin.locked' : 'pin.lock');
    }
    const box = opts.list;
    if (!box) return;
    const items = [];
    for (const id of Object.keys(pins.assets).sort()) {
      items.push(['asset', id, t('pin.item_asset', { asset: id, depot: opts.depotName(pinDepot(pins.assets[id])) })]);
    }
    pins.lots.forEach((l, k) => items.push(['lot', k, t(l.closed ? 'pin.item_locked' : 'pin.item_lot',
      { depot: opts.depotName(l.depot) + (l.fy != null ? ` FY${l.fy}` : ''), n: l.assets.length })]));
    pins.forbid.forEach((f, k) => items.push(['forbid', k, t('pin.item_forbid', { asset: f.asset, depot: opts.depotName(f.depot) })]));
    const ul = node('ul', { class: 'pins-list' });
    for (const [kind, key, text] of items) {
      ul.append(node('li', { 'data-pin': kind },
        node('span', null, text), ' ',
        node('button', { type: 'button', class: 'linkish pin-remove', 'aria-label': `${t('pin.remove')}: ${text}`,
          onclick: () => removeAt(kind, key) }, t('pin.remove'))));
    }
    box.replaceChildren(node('h3', null, t('pin.title')), items.length ? ul : node('p', { class: 'muted' }, t('pin.none')));
  }

  // lockButton is the Lock button of a lot row in the bundles table.
  function lockButton(b) {
    const fy = b.fy ?? null; // a programme's lot: its first year names its block
    const locked = pins.lots.some((l) => l.closed && sameLot(l, b.depot, fy));
    const attrs = { type: 'button', class: 'pin-lock', 'data-depot': b.depot, 'aria-pressed': locked ? 'true' : 'false',
      onclick: (ev) => { ev.stopPropagation(); lockLot(b.depot, b.assets || [], fy); } };
    if (fy != null) attrs['data-fy'] = String(fy);
    return node('button', attrs, t(locked ? 'pin.locked' : 'pin.lock'));
  }

  // assetButtons are the pin actions of an asset's popup: pin it to the lot `to` ({id, depot}:
  // the selected lot, else its own) and forbid it the depot of its own lot `own`.
  function assetButtons(id, to, own) {
    const p = node('p', { class: 'pin-actions' });
    if (to) {
      p.append(node('button', { type: 'button', class: 'pin-asset', 'data-depot': to.depot,
        onclick: () => pinAsset(id, to.depot) }, t('pin.to_lot', { lot: to.id })), ' ');
    }
    if (own) {
      p.append(node('button', { type: 'button', class: 'pin-forbid', 'data-depot': own.depot,
        onclick: () => forbidDepot(id, own.depot) }, t('pin.forbid', { depot: opts.depotName(own.depot) })));
    }
    return p;
  }

  onLang(render);
  return { load, render, lockButton, assetButtons, pins: () => pins, count };
}
