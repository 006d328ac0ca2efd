/* global document, window, fetch, EventSource, URL, URLSearchParams */
/* global setTimeout, clearTimeout, setInterval */
/**
 * The dashboard's script: lists sweeps and recent runs (re-read every few seconds), and shows
 * the selected sweep (`#/sweeps/<id>`, else the newest) with its results table, its figure
 * and its runs, kept live by the sweep's event stream. The stream also updates the selected
 * sweep's rows in both lists, so they never disagree with its view; the re-reading is for the
 * other sweeps and runs. Text goes in with textContent only: names come from users.
 */

const LIST_REFRESH_MS = listRefreshMs();
/** Terminal events come in bursts when a sweep ends; one refresh serves the burst. */
const SWEEP_REFRESH_DEBOUNCE_MS = 300;
const FINAL = new Set(['succeeded', 'diverged', 'failed', 'cancelled']);

const state = {
  sweepId: null,
  sweep: null,
  /** When `sweep` last changed (Date.now()), by a read or an event: list reads older lose. */
  sweepChangedAt: 0,
  events: null,
  refreshTimer: null,
  received: 0,
};

/**
 * 5 s, or `?listRefreshMs=` on the page's URL (at least 1000): the e2e test sets it long, to
 * show that the selected sweep's rows follow its stream without waiting for a re-read.
 */
function listRefreshMs() {
  const value = Number(new URLSearchParams(window.location.search).get('listRefreshMs'));
  return Number.isInteger(value) && value >= 1000 ? value : 5000;
}

function $(selector) {
  return document.querySelector(selector);
}

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    element.append(child instanceof window.Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// fetch's default credentials ('same-origin') and no Authorization header of our own: when
// reads need a key, the browser sends the Basic credentials it asked the user for.
async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function formatNumber(value) {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(3);
  // Four significant digits, without the trailing zeros toPrecision would keep (0.1000).
  return String(Number(value.toPrecision(4)));
}

function statusPill(status) {
  return h('span', { class: 'status', 'data-status': status }, status);
}

function progressBar(run) {
  if (FINAL.has(run.status)) return h('progress', { max: 1, value: 1 });
  const fraction = run.progress?.fraction;
  return fraction === undefined
    ? h('progress', { max: 1 })
    : h('progress', { max: 1, value: fraction });
}

function contender(run) {
  return run.contender ?? run.kind;
}

function learningRate(run) {
  return run.spec?.optimizer?.lr ?? null;
}

// ---- lists ----------------------------------------------------------------------------

async function refreshLists() {
  const startedAt = Date.now();
  const [sweeps, runs] = await Promise.all([
    getJson('/v1/sweeps?limit=20'),
    getJson('/v1/runs?limit=25'),
  ]);
  renderSweepList(sweeps.items);
  renderRunList(runs.items);
  // A read begun before the selected sweep's last event may predate it: the view is newer.
  if (state.sweep && state.sweepChangedAt >= startedAt) showInLists(state.sweep);
  $('#empty').hidden = sweeps.items.length > 0;
  if (!state.sweepId && sweeps.items.length > 0) selectSweep(sweeps.items[0].id);
}

function renderSweepList(sweeps) {
  const rows = sweeps.map((sweep) => {
    const row = h(
      'tr',
      {
        'data-sweep-id': sweep.id,
        'data-status': sweep.status,
        class: sweep.id === state.sweepId ? 'selected' : null,
      },
      h('td', {}, sweep.name ?? sweep.id.slice(0, 12)),
      h('td', { class: 'sweep-status' }, sweepPill(sweep)),
      h('td', { class: 'num sweep-runs' }, sweep.runs),
      h('td', {}, new Date(sweep.createdAt).toLocaleString()),
    );
    row.addEventListener('click', () => {
      window.location.hash = `#/sweeps/${sweep.id}`;
    });
    return row;
  });
  $('#sweeps tbody').replaceChildren(...rows);
}

/** The sweep's status, its runs counted by status on hover. */
function sweepPill(sweep) {
  const pill = statusPill(sweep.status);
  const counts = Object.entries(sweep.counts ?? {}).map(([status, n]) => `${n} ${status}`);
  pill.title = counts.join(', ');
  return pill;
}

function renderRunList(runs) {
  const rows = runs.map((run) =>
    h(
      'tr',
      { 'data-run-id': run.id, 'data-status': run.status },
      h('td', {}, run.kind),
      h('td', {}, contender(run)),
      h('td', { class: 'run-status' }, statusPill(run.status)),
      h('td', { class: 'run-progress' }, progressBar(run)),
    ),
  );
  $('#runs tbody').replaceChildren(...rows);
}

/** Shows the selected sweep, as its view last read or heard it, in its rows of both lists. */
function showInLists(sweep) {
  const row = document.querySelector(`#sweeps tr[data-sweep-id="${sweep.id}"]`);
  if (row) {
    row.dataset.status = sweep.status;
    row.querySelector('.sweep-status').replaceChildren(sweepPill(sweep));
    row.querySelector('.sweep-runs').textContent = String(sweep.runs.length);
  }
  for (const run of sweep.runs) showRun(run);
}

/** Updates a run's rows in place, in the sweep's runs and the recent runs alike. */
function showRun(run) {
  for (const row of document.querySelectorAll(`tr[data-run-id="${run.id}"]`)) {
    row.dataset.status = run.status;
    row.querySelector('.run-status').replaceChildren(statusPill(run.status));
    row.querySelector('.run-progress').replaceChildren(progressBar(run));
  }
}

// ---- the selected sweep ---------------------------------------------------------------

function selectSweep(id) {
  if (id === state.sweepId) return;
  state.sweepId = id;
  state.events?.close();
  for (const row of document.querySelectorAll('#sweeps tbody tr')) {
    row.classList.toggle('selected', row.dataset.sweepId === id);
  }
  void loadSweep().then(follow);
}

async function loadSweep() {
  const id = state.sweepId;
  const startedAt = Date.now();
  const sweep = await getJson(`/v1/sweeps/${id}?best=true`);
  if (id !== state.sweepId) return;
  state.sweep = sweep;
  state.sweepChangedAt = Math.max(state.sweepChangedAt, startedAt);
  renderSweep();
  showInLists(sweep);
}

function renderSweep() {
  const { sweep } = state;
  $('#sweep').hidden = false;
  $('#sweep-name').textContent = sweep.name ?? sweep.id.slice(0, 12);
  $('#sweep-status').textContent = sweep.status;
  $('#sweep-status').dataset.status = sweep.status;
  $('#sweep-id').textContent = sweep.id;
  renderResults(sweep);
  renderFigure(sweep);
  renderSweepRuns(sweep.runs);
}

/** The table the CLI prints: best run per optimizer, ranked by mean summed loss. */
function renderResults(sweep) {
  const byId = new Map(sweep.runs.map((run) => [run.id, run]));
  const picks = Object.entries(sweep.best ?? {}).map(([name, pick]) => ({
    name,
    pick,
    run: byId.get(pick.runId),
  }));
  const ranked = picks
    .filter((p) => p.pick.meanSumLoss !== null)
    .sort((a, b) => a.pick.meanSumLoss - b.pick.meanSumLoss);
  const unranked = picks.filter((p) => p.pick.meanSumLoss === null);
  const rows = [...ranked, ...unranked].map((p, i) =>
    h(
      'tr',
      { 'data-contender': p.name },
      h('td', { class: 'num' }, p.pick.meanSumLoss === null ? '–' : i + 1),
      h('td', {}, p.name),
      h('td', { class: 'num' }, formatNumber(p.pick.lr)),
      h('td', { class: 'num' }, formatNumber(p.pick.meanSumLoss)),
      h('td', { class: 'num' }, formatNumber(p.run?.summary?.finalLossMean)),
      h('td', {}, statusPill(p.run?.status ?? '')),
    ),
  );
  $('#results tbody').replaceChildren(...rows);
}

function renderFigure(sweep) {
  const img = $('#figure img');
  if (Object.keys(sweep.best ?? {}).length === 0) {
    img.hidden = true;
    return;
  }
  // A new URL per state, so the browser does not show the figure of fewer finished runs.
  const finished = sweep.runs.filter((run) => FINAL.has(run.status)).length;
  const url = new URL(`/v1/sweeps/${sweep.id}/figure.svg`, window.location.href);
  url.searchParams.set('v', String(finished));
  if (img.getAttribute('src') !== url.pathname + url.search) img.src = url.pathname + url.search;
  img.hidden = false;
}

function renderSweepRuns(runs) {
  const rows = runs.map((run) =>
    h(
      'tr',
      { 'data-run-id': run.id, 'data-status': run.status },
      h('td', {}, run.kind),
      h('td', {}, contender(run)),
      h('td', { class: 'num' }, formatNumber(learningRate(run))),
      h('td', { class: 'run-status' }, statusPill(run.status)),
      h('td', { class: 'run-progress' }, progressBar(run)),
    ),
  );
  $('#sweep-runs tbody').replaceChildren(...rows);
}

// ---- live updates ---------------------------------------------------------------------

const STATUS_OF_EVENT = {
  queued: 'queued',
  started: 'running',
  diverged: 'diverged',
  failed: 'failed',
  cancelled: 'cancelled',
};

function follow() {
  const id = state.sweepId;
  if (!state.sweep || state.sweep.status === 'succeeded' || state.sweep.status === 'failed') {
    setLive('closed', 'settled');
    return;
  }
  const events = new EventSource(`/v1/sweeps/${id}/events`);
  state.events = events;
  events.onopen = () => setLive('open', 'live');
  events.onerror = () => setLive('closed', 'reconnecting…');
  for (const type of ['progress', 'checkpoint']) {
    events.addEventListener(type, (message) => onRunEvent(type, JSON.parse(message.data)));
  }
  // A run's status changes the sweep's status and counts, which the server derives: re-read.
  for (const type of ['queued', 'started', 'finished', 'diverged', 'failed', 'cancelled']) {
    events.addEventListener(type, (message) => {
      onRunEvent(type, JSON.parse(message.data));
      scheduleSweepRefresh();
    });
  }
  events.addEventListener('end', () => {
    events.close();
    setLive('closed', 'settled');
    scheduleSweepRefresh();
  });
}

function setLive(stateName, text) {
  $('#live').dataset.state = stateName;
  $('#live').textContent = text;
}

/** Updates the run's rows in place: a progress event must not cost a request. */
function onRunEvent(type, data) {
  state.received += 1;
  $('#live').dataset.events = String(state.received);
  const run = state.sweep?.runs.find((candidate) => candidate.id === data.runId);
  if (!run) return;
  if (type === 'progress') run.progress = { ...run.progress, ...data };
  else if (type === 'finished') run.status = data.status ?? 'succeeded';
  else if (STATUS_OF_EVENT[type]) run.status = STATUS_OF_EVENT[type];
  state.sweepChangedAt = Date.now();
  showRun(run);
}

function scheduleSweepRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => void loadSweep(), SWEEP_REFRESH_DEBOUNCE_MS);
}

// ---- start ----------------------------------------------------------------------------

function route() {
  const match = /^#\/sweeps\/([0-9a-f]{64})$/.exec(window.location.hash);
  if (match) selectSweep(match[1]);
}

window.addEventListener('hashchange', route);
route();
void refreshLists();
setInterval(() => void refreshLists().catch(() => undefined), LIST_REFRESH_MS);
