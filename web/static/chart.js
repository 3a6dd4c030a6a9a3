import { million, t } from './i18n.js';

// A small canvas chart of a run's progress: best cost and lower bound against elapsed seconds.

export class ProgressChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = [];
    this.labels = []; // the axis texts drawn last (tests read them: a canvas has no text)
  }

  reset() {
    this.points = [];
    this.draw();
  }

  add(p) {
    if (!p || typeof p.elapsed_s !== 'number') return;
    this.points.push({ t: p.elapsed_s, best: num(p.best_cost), bound: num(p.lower_bound) });
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || c.width;
    const h = c.clientHeight || c.height;
    if (c.width !== Math.round(w * dpr)) { c.width = Math.round(w * dpr); c.height = Math.round(h * dpr); }
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.strokeStyle = '#ccc';
    g.lineWidth = 1;
    g.strokeRect(0.5, 0.5, w - 1, h - 1);
    const vals = [];
    for (const p of this.points) {
      if (p.best !== null) vals.push(p.best);
      if (p.bound !== null) vals.push(p.bound);
    }
    if (this.points.length === 0 || vals.length === 0) return;
    let lo = Math.min(...vals);
    let hi = Math.max(...vals);
    if (hi === lo) { hi += 1; lo -= 1; }
    const pad = (hi - lo) * 0.08;
    lo -= pad; hi += pad;
    const tmax = Math.max(1e-9, ...this.points.map((p) => p.t));
    const left = 4; const right = w - 4; const top = 16; const bottom = h - 4;
    const x = (tt) => left + (right - left) * (tt / tmax);
    const y = (v) => bottom - (bottom - top) * ((v - lo) / (hi - lo));
    const line = (key, colour) => {
      g.strokeStyle = colour;
      g.lineWidth = 2;
      g.beginPath();
      let started = false;
      for (const p of this.points) {
        if (p[key] === null) continue;
        if (!started) { g.moveTo(x(p.t), y(p[key])); started = true; } else g.lineTo(x(p.t), y(p[key]));
      }
      if (started) g.stroke();
    };
    line('bound', '#2a7');
    line('best', '#c33');
    g.fillStyle = '#333';
    g.font = '11px sans-serif';
    g.fillText(t('unit.s', { v: tmax.toFixed(1) }), right - 40, 12);
    this.labels = [million(hi), million(lo)];
    g.fillText(this.labels[0], left + 2, 12);
    g.fillText(this.labels[1], left + 2, bottom - 2);
  }
}

// num keeps a positive finite number; 0 or a missing value means "no plan or bound yet".
function num(v) {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

