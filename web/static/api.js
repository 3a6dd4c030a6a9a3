// A thin client of the REST API of docs/api-contract.md. Errors arrive as problem+json and are
// thrown as ApiError with the problem's title/detail.

const base = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem) {
    const msg = problem && (problem.detail || problem.title) ? (problem.detail || problem.title) : `HTTP ${status}`;
    super(msg);
    this.status = status;
    this.problem = problem || null;
  }
}

// request is the page's one way to call the API; moves.js and pins.js use it too.
export async function request(method, path, body, opts = {}) {
  const init = { method, headers: { Accept: 'application/json' } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path.startsWith('/') ? path : `${base}/${path}`, init);
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (res.status !== 204) {
    if (type.includes('json')) data = await res.json();
    else data = await res.text();
  }
  if (!res.ok && !(opts.accept && opts.accept.includes(res.status))) throw new ApiError(res.status, typeof data === 'object' ? data : { detail: data });
  return opts.withStatus ? { status: res.status, data } : data;
}

// all follows the list envelope's `next` links and returns every item.
async function all(path) {
  const items = [];
  let next = path.includes('?') ? `${path}&limit=10000` : `${path}?limit=10000`;
  while (next) {
    const page = await request('GET', next);
    items.push(...(page.items || []));
    next = page.next || null;
  }
  return items;
}

export const api = {
  settings: () => request('GET', 'settings'),
  municipalitiesGeo: () => request('GET', 'municipalities?format=geojson'),
  municipalities: () => all('municipalities'),
  depotsGeo: () => request('GET', 'depots?format=geojson'),
  depots: () => all('depots'),
  assetsGeo: () => request('GET', 'assets?format=geojson'),
  // assetsGeoIn is at most limit assets inside bbox [west, south, east, north], fetched in pages of
  // the API's largest page (10,000).
  assetsGeoIn: async (bbox, limit) => {
    const features = [];
    for (let offset = 0; offset < limit; offset += 10000) {
      const n = Math.min(10000, limit - offset);
      const fc = await request('GET', `assets?format=geojson&bbox=${bbox.join(',')}&limit=${n}&offset=${offset}`);
      features.push(...(fc.features || []));
      if ((fc.features || []).length < n) break;
    }
    return { type: 'FeatureCollection', features };
  },
  assetCount: async () => (await request('GET', 'assets?limit=1')).total,
  asset: (id) => request('GET', `assets/${encodeURIComponent(id)}`),
  scenarios: () => all('scenarios'),
  scenario: (id) => request('GET', `scenarios/${encodeURIComponent(id)}`),
  createScenario: (body) => request('POST', 'scenarios', body),
  patchScenario: (id, body) => request('PATCH', `scenarios/${encodeURIComponent(id)}`, body),
  duplicateScenario: (id, name) => request('POST', `scenarios/${encodeURIComponent(id)}/duplicate`, { name }),
  instance: (id) => request('GET', `scenarios/${encodeURIComponent(id)}/instance`),
  startRun: (sid, body) => request('POST', `scenarios/${encodeURIComponent(sid)}/runs`, body),
  runs: (sid) => all(sid ? `runs?scenario=${encodeURIComponent(sid)}` : 'runs'),
  run: (id) => request('GET', `runs/${encodeURIComponent(id)}`),
  stopRun: (id) => request('DELETE', `runs/${encodeURIComponent(id)}`),
  plan: (id) => request('GET', `runs/${encodeURIComponent(id)}/plan`),
  planGeo: (id) => request('GET', `runs/${encodeURIComponent(id)}/plan.geojson`),
  shares: (id) => all(`runs/${encodeURIComponent(id)}/shares`),
  years: (id) => request('GET', `runs/${encodeURIComponent(id)}/years`),
  budgets: (id) => request('GET', `runs/${encodeURIComponent(id)}/budgets`),
  standalone: (sid) => request('GET', `scenarios/${encodeURIComponent(sid)}/standalone`),
  compare: (a, b) => request('GET', `runs/${encodeURIComponent(a)}/compare/${encodeURIComponent(b)}`),
  lots: (id) => request('GET', `runs/${encodeURIComponent(id)}/lots`),
  lockPrice: (id) => request('GET', `runs/${encodeURIComponent(id)}/lock-price`),
  counterpart: (id) => request('POST', `runs/${encodeURIComponent(id)}/counterpart`, {}),
  importFile: (file, kind, partial) => {
    const fd = new FormData();
    fd.append('file', file);
    const q = new URLSearchParams();
    if (kind) q.set('kind', kind);
    if (partial) q.set('partial', 'true');
    const qs = q.toString();
    return request('POST', `imports${qs ? `?${qs}` : ''}`, fd, { accept: [422], withStatus: true });
  },
  url: (path) => `${base}/${path}`,
};
