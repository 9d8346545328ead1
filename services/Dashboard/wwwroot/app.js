// Results dashboard: one module for all four pages (index, experiment, run, compare).
// Plain ES2020, no framework, no build step. Chart.js 4 (global `Chart`) is loaded by the pages that draw charts.
// Every piece of data goes into the page through textContent / attributes, never through innerHTML.

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#393b79', '#ad494a', '#637939', '#843c39', '#7b4173', '#3182bd'];
const FINAL_RUN_STATES = new Set(['Completed', 'Failed', 'Diverged']);
const MAX_CURVE_POINTS = 1000;
const NO_CHECKPOINTS = 'No evaluated checkpoints yet';
const DARK = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
const INK = DARK ? '#e6e9ee' : '#222222';

const params = new URLSearchParams(location.search);
const enc = encodeURIComponent;

// ---------------------------------------------------------------- DOM helpers

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [key, value] of Object.entries(props)) {
      if (value == null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = String(value);
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else if (key === 'checked') node.checked = Boolean(value);
      else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function setText(node, text) {
  const value = text == null ? '' : String(text);
  if (node.textContent !== value) node.textContent = value;
}

function $(selector) {
  return document.querySelector(selector);
}

/**
 * Brings tbody's rows in line with items, keyed by keyOf(item): existing rows are updated in place (so focus, checkbox
 * state and selection survive a refresh), new ones created, missing ones removed, and rows moved only when the order
 * changed.
 */
function syncRows(tbody, items, keyOf, create, update) {
  const existing = new Map();
  for (const row of Array.from(tbody.rows)) existing.set(row.dataset.key, row);
  const kept = new Set();
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let row = existing.get(key);
    if (!row) {
      row = create(item);
      row.dataset.key = key;
    }
    update(row, item);
    kept.add(key);
    const wanted = previous ? previous.nextSibling : tbody.firstChild;
    if (row !== wanted) tbody.insertBefore(row, wanted);
    previous = row;
  }
  for (const [key, row] of existing) if (!kept.has(key)) row.remove();
}

// ---------------------------------------------------------------- formatting

function isNum(value) {
  return typeof value === 'number' && Number.isFinite(value);
}

function fmtNum(value, digits = 4) {
  if (!isNum(value)) return '—';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs !== 0 && abs < 0.001) return value.toExponential(2);
  return String(Number(value.toPrecision(digits)));
}

function fmtLr(value) {
  if (!isNum(value)) return '—';
  return value.toExponential().replace(/(\.\d*?)0+e/, '$1e').replace('.e', 'e');
}

function fmtTokens(value) {
  if (!isNum(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${+(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${+(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e3) return `${+(value / 1e3).toFixed(1)}k`;
  return String(value);
}

function fmtPercent(fraction) {
  if (!isNum(fraction)) return '—';
  return `${Math.round(Math.min(Math.max(fraction, 0), 1) * 100)}%`;
}

function fmtDuration(seconds) {
  if (!isNum(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(s / 3600);
  return `${h} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function fmtTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function timeEl(iso) {
  return iso ? el('time', { datetime: iso, text: fmtTime(iso) }) : '—';
}

function fmtFixed(value) {
  if (!isNum(value)) return '—';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 0.001 || abs >= 1e5)) return value.toExponential(2);
  return value.toFixed(abs >= 100 ? 1 : 3);
}

function fmtMetric(m) {
  const se = isNum(m.stdErr) ? ` ± ${fmtFixed(m.stdErr)}` : '';
  return `${fmtFixed(m.value)}${se}`;
}

/** Log-axis tick labels at the powers of ten only. */
function logTick(value) {
  if (!(value > 0)) return '';
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  if (Math.abs(value / 10 ** exponent - 1) > 1e-6) return '';
  return exponent >= -2 && exponent <= 3 ? String(10 ** exponent >= 1 ? 10 ** exponent : Number((10 ** exponent).toFixed(2))) : `1e${exponent}`;
}

function fmtValue(value) {
  if (value == null) return '—';
  if (typeof value === 'number') return fmtNum(value, 6);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return value.every((v) => v == null || typeof v !== 'object') ? value.map(fmtValue).join(', ') : JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function statusBadge(status) {
  return el('span', { class: 'status', dataset: { status: status ?? 'Unknown' }, text: status ?? '—' });
}

function updateBadge(badge, status) {
  badge.dataset.status = status ?? 'Unknown';
  setText(badge, status ?? '—');
}

function runName(run) {
  return run.label || run.cellKey || run.id;
}

// ---------------------------------------------------------------- data, errors, polling

async function getJson(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  } catch (error) {
    throw new Error(`Could not reach the dashboard server (${path}): ${error.message}`);
  }
  if (!response.ok) {
    let detail = '';
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || '';
    } catch { /* not JSON */ }
    const error = new Error(`${path}: HTTP ${response.status}${detail ? ` — ${detail}` : ''}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

function showError(error) {
  const box = $('#alert');
  if (box) setText(box, error instanceof Error ? error.message : String(error));
  console.error(error);
}

function clearError() {
  const box = $('#alert');
  if (box && box.textContent) box.textContent = '';
}

/**
 * Calls tick now and then every intervalMs after the previous call finished, until tick returns false or the thing
 * polled for does not exist (404). Other errors are shown and the polling goes on.
 */
function poll(tick, intervalMs) {
  const run = async () => {
    let again = true;
    try {
      again = (await tick()) !== false;
      clearError();
    } catch (error) {
      showError(error);
      if (error.status === 404) again = false;
    }
    if (again) setTimeout(run, intervalMs);
  };
  run();
}

function markReady() {
  if (document.body.dataset.ready === 'true') return;
  performance.mark('dashboard-ready');
  document.body.dataset.ready = 'true';
}

// ---------------------------------------------------------------- charts

function colorFor(map, key) {
  if (!map.has(key)) map.set(key, PALETTE[map.size % PALETTE.length]);
  return map.get(key);
}

function downsample(points, max = MAX_CURVE_POINTS) {
  if (points.length <= max) return points;
  const stride = points.length / max;
  const out = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * stride)]);
  out.push(points[points.length - 1]);
  return out;
}

function chartOptions({ xTitle, yTitle, xTokens = true, logY = false, xMin, xMax, tooltipLabel, tooltipTitle }) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 14 } },
      tooltip: {
        callbacks: {
          title: tooltipTitle ?? ((items) => (items.length ? (xTokens ? `${fmtTokens(items[0].parsed.x)} tokens` : `${xTitle} ${fmtNum(items[0].parsed.x)}`) : '')),
          label: tooltipLabel ?? ((ctx) => `${ctx.dataset.label}: ${fmtNum(ctx.parsed.y)}`),
        },
      },
    },
    scales: {
      x: { type: 'linear', min: xMin, max: xMax, title: { display: true, text: xTitle }, ticks: xTokens ? { callback: (v) => fmtTokens(v) } : {} },
      y: logY
        ? { type: 'logarithmic', title: { display: true, text: yTitle }, ticks: { callback: logTick, autoSkip: false },
          grid: { color: (ctx) => (ctx.tick && ctx.tick.label !== '' ? Chart.defaults.borderColor : 'transparent') } }
        : { type: 'linear', title: { display: true, text: yTitle } },
    },
  };
}

/**
 * Draws datasets on canvas: creates the chart the first time, afterwards updates it in place (each dataset matched by
 * its `key`, its `data` replaced) and redraws without animation.
 */
function renderChart(canvas, type, datasets, options) {
  let chart = Chart.getChart(canvas);
  if (!chart) return new Chart(canvas, { type, data: { datasets }, options });
  const current = chart.data.datasets;
  const byKey = new Map(current.map((d) => [d.key, d]));
  const next = datasets.map((d) => {
    const existing = byKey.get(d.key);
    if (!existing) return d;
    existing.data = d.data;
    existing.label = d.label;
    return existing;
  });
  if (next.length !== current.length || next.some((d, i) => d !== current[i])) current.splice(0, current.length, ...next);
  if (options?.scales) {
    for (const axis of ['x', 'y']) {
      const given = options.scales[axis];
      const scale = chart.options.scales[axis];
      if (!given || !scale) continue;
      if (given.title?.text != null) scale.title.text = given.title.text;
      scale.min = given.min;
      scale.max = given.max;
    }
  }
  chart.update('none');
  return chart;
}

/** Shows a figure's chart, or instead of its canvas the figure's short "no data" text. */
function showFigure(figure, hasData, emptyText = NO_CHECKPOINTS) {
  const box = figure.querySelector('.chart-box');
  const empty = figure.querySelector('.empty');
  box.hidden = !hasData;
  empty.hidden = hasData;
  if (!hasData) setText(empty, emptyText);
}

function lineDataset(key, label, data, color, extra = {}) {
  return { key, label, data, borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: 0, pointHitRadius: 6, tension: 0, spanGaps: true, ...extra };
}

function tokenSeries(rows, xOf, yOf, extraOf) {
  const out = [];
  for (const row of rows) {
    const x = xOf(row);
    const y = yOf(row);
    if (isNum(x) && isNum(y)) out.push(extraOf ? { x, y, ...extraOf(row) } : { x, y });
  }
  return out;
}

// ---------------------------------------------------------------- index.html: the experiments list

function listPage() {
  const tbody = $('#experiments tbody');
  const table = $('#experiments');
  const empty = $('#no-experiments');

  poll(async () => {
    const experiments = await getJson('/api/experiments');
    table.hidden = experiments.length === 0;
    empty.hidden = experiments.length > 0;
    syncRows(tbody, experiments, (e) => e.id, createExperimentRow, updateExperimentRow);
    markReady();
    return true;
  }, 3000);
}

function createExperimentRow(experiment) {
  const link = el('a', { href: `experiment.html?id=${enc(experiment.id)}` });
  const badge = statusBadge(experiment.status);
  const bar = el('progress', { max: '1', value: '0' });
  const percent = el('span', { class: 'percent' });
  const row = el('tr', null,
    el('th', { scope: 'row' }, link),
    el('td', null, badge),
    el('td', { class: 'progress-cell' }, bar, ' ', percent),
    el('td', { class: 'num' }),
    el('td', { class: 'num' }),
    el('td', null),
    el('td', { class: 'num' }));
  row.refs = { link, badge, bar, percent };
  return row;
}

function updateExperimentRow(row, e) {
  const { link, badge, bar, percent } = row.refs;
  setText(link, e.name);
  updateBadge(badge, e.status);
  row.dataset.status = e.status;
  const progress = isNum(e.progress) ? Math.min(Math.max(e.progress, 0), 1) : 0;
  if (bar.value !== progress) bar.value = progress;
  setText(bar, fmtPercent(progress));
  bar.setAttribute('aria-label', `${e.name}: ${fmtPercent(progress)} done`);
  setText(percent, fmtPercent(progress));
  setText(row.cells[3], `${e.runsCompleted ?? 0} / ${e.runs ?? 0}`);
  setText(row.cells[4], String(e.runsFailed ?? 0));
  row.cells[4].classList.toggle('bad', (e.runsFailed ?? 0) > 0);
  if (row.cells[5].dataset.iso !== (e.submittedAt ?? '')) {
    row.cells[5].dataset.iso = e.submittedAt ?? '';
    row.cells[5].replaceChildren(timeEl(e.submittedAt));
  }
  setText(row.cells[6], fmtDuration(e.wallSeconds));
}

// ---------------------------------------------------------------- experiment.html

function experimentPage() {
  const idOrName = params.get('id');
  if (!idOrName) {
    showError(new Error('No experiment given: open this page as experiment.html?id=EXPERIMENT_ID.'));
    return;
  }
  const state = { id: null, tick: 0, signature: null, study: null, selected: new Set(), colors: new Map(), curveColors: new Map() };
  setupCompareButton(state);

  poll(async () => {
    const experiment = await getJson(`/api/experiments/${enc(idOrName)}`);
    state.id = experiment.id;
    const completed = experiment.status === 'Completed';
    for (const run of experiment.runs ?? []) colorFor(state.colors, run.id);
    const signature = JSON.stringify([experiment.status, (experiment.runs ?? []).map((r) => [r.id, r.status, r.checkpointsDone])]);
    const wantStudy = state.study === null || completed || signature !== state.signature || state.tick % 5 === 0;
    const [curves, study] = await Promise.all([
      getJson(`/api/experiments/${enc(experiment.id)}/curves`),
      wantStudy ? getJson(`/api/experiments/${enc(experiment.id)}/study`) : Promise.resolve(null),
    ]);
    state.signature = signature;
    state.tick++;

    renderExperimentHeader(experiment);
    renderRunGrid(experiment.runs ?? [], state);
    renderLossChart(curves, state);
    if (study) {
      state.study = study;
      renderStudy(study, state);
    }
    markReady();
    return !completed;
  }, 2000);
}

function renderExperimentHeader(e) {
  document.title = `${e.name} — experiment`;
  setText($('#experiment-name'), e.name);
  updateBadge($('#experiment-status'), e.status);
  const bar = $('#experiment-progress');
  const progress = isNum(e.progress) ? Math.min(Math.max(e.progress, 0), 1) : 0;
  bar.value = progress;
  setText(bar, fmtPercent(progress));
  setText($('#experiment-percent'), fmtPercent(progress));
  const submitted = $('#experiment-submitted');
  if (submitted.dataset.iso !== (e.submittedAt ?? '')) {
    submitted.dataset.iso = e.submittedAt ?? '';
    submitted.replaceChildren(timeEl(e.submittedAt));
  }
  const completedAt = $('#experiment-completed');
  if (completedAt.dataset.iso !== (e.completedAt ?? '')) {
    completedAt.dataset.iso = e.completedAt ?? '';
    completedAt.replaceChildren(timeEl(e.completedAt));
  }
  setText($('#experiment-wall'), fmtDuration(e.wallSeconds));
  const runs = e.runs ?? [];
  const done = runs.filter((r) => r.status === 'Completed').length;
  const failed = runs.filter((r) => r.status === 'Failed' || r.status === 'Diverged').length;
  setText($('#experiment-runs'), `${done} of ${runs.length} completed${failed ? `, ${failed} failed` : ''}`);
  const csv = $('#metrics-csv');
  const href = `/api/experiments/${enc(e.id)}/metrics.csv`;
  if (csv.getAttribute('href') !== href) csv.setAttribute('href', href);
  csv.setAttribute('download', `${e.name}-metrics.csv`);
}

function setupCompareButton(state) {
  const button = $('#compare-selected');
  const count = $('#selected-count');
  state.updateSelection = () => {
    button.disabled = state.selected.size < 2;
    setText(count, state.selected.size === 1 ? '1 run selected' : `${state.selected.size} runs selected`);
  };
  button.addEventListener('click', () => {
    if (state.selected.size < 2) return;
    const ids = Array.from(document.querySelectorAll('#runs tbody tr'))
      .map((row) => row.dataset.key)
      .filter((id) => state.selected.has(id));
    location.assign(`compare.html?runs=${ids.map(enc).join(',')}`);
  });
  state.updateSelection();
}

function renderRunGrid(runs, state) {
  const tbody = $('#runs tbody');
  $('#runs').hidden = runs.length === 0;
  $('#no-runs').hidden = runs.length > 0;
  for (const id of Array.from(state.selected)) if (!runs.some((r) => r.id === id)) state.selected.delete(id);
  syncRows(tbody, runs, (r) => r.id, (run) => createRunRow(run, state), updateRunRow);
  state.updateSelection();
}

function createRunRow(run, state) {
  const checkbox = el('input', {
    type: 'checkbox',
    onchange: (event) => {
      if (event.target.checked) state.selected.add(run.id);
      else state.selected.delete(run.id);
      state.updateSelection();
    },
  });
  const link = el('a', { href: `run.html?id=${enc(run.id)}` });
  const key = el('span', { class: 'muted small' });
  const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
  swatch.style.backgroundColor = colorFor(state.colors, run.id);
  const badge = statusBadge(run.status);
  const row = el('tr', null,
    el('td', { class: 'select' }, checkbox),
    el('th', { scope: 'row' }, swatch, link, el('br'), key),
    el('td'), el('td', { class: 'num' }), el('td', { class: 'num' }),
    el('td', null, badge),
    el('td', { class: 'num' }), el('td', { class: 'num' }), el('td', { class: 'num' }), el('td', { class: 'num' }));
  row.refs = { checkbox, link, key, badge };
  return row;
}

function updateRunRow(row, run) {
  const { checkbox, link, key, badge } = row.refs;
  const name = runName(run);
  setText(link, name);
  setText(key, run.label && run.cellKey && run.cellKey !== run.label ? run.cellKey : '');
  checkbox.setAttribute('aria-label', `Select ${name} for comparison`);
  updateBadge(badge, run.status);
  row.dataset.status = run.status;
  const cells = row.cells;
  setText(cells[2], run.method ?? '—');
  setText(cells[3], run.rank == null ? '—' : String(run.rank));
  setText(cells[4], fmtLr(run.learningRate));
  setText(cells[6], `${fmtNum(run.step ?? 0)} / ${fmtNum(run.totalSteps)}`);
  setText(cells[7], fmtNum(run.loss));
  setText(cells[8], isNum(run.tokensPerSecond) ? fmtNum(Math.round(run.tokensPerSecond)) : '—');
  setText(cells[9], `${run.checkpointsDone ?? 0} / ${run.checkpoints ?? 0}`);
}

function renderLossChart(curves, state) {
  const canvas = $('canvas[data-chart="loss"]');
  const runs = curves?.runs ?? [];
  const datasets = runs.map((r) => lineDataset(r.runId, r.label || r.runId,
    downsample(tokenSeries(r.points ?? [], (p) => p[0], (p) => p[1])), colorFor(state.colors, r.runId)));
  renderChart(canvas, 'line', datasets, chartOptions({ xTitle: 'tokens seen', yTitle: 'training loss' }));
  const points = datasets.reduce((n, d) => n + d.data.length, 0);
  setText($('#loss-note'), points === 0 ? 'No training steps logged yet.' : '');
}

function scoreTooltip(ctx) {
  const se = isNum(ctx.raw?.se) ? ` ± ${fmtNum(ctx.raw.se, 3)}` : '';
  return `${ctx.dataset.label}: ${fmtNum(ctx.parsed.y)}${se}`;
}

function axisName(side, fallback) {
  if (!side) return fallback;
  return [side.label, side.metric].filter(Boolean).join(' · ') || fallback;
}

function renderStudy(study, state) {
  const curves = study.curves ?? [];
  for (const c of curves) colorFor(state.curveColors, c.label);

  // (2) learning curve and (3) forgetting curve: one dataset per curve
  for (const [chartName, field, seField, side, fallback] of [
    ['learning', 'target', 'targetStdErr', study.target, 'target score (higher is better)'],
    ['forgetting', 'source', 'sourceStdErr', study.source, 'source score (higher is better)'],
  ]) {
    const datasets = curves.map((c) => lineDataset(c.label, c.label,
      tokenSeries(c.points ?? [], (p) => p.tokens, (p) => p[field], (p) => ({ se: p[seField] })),
      colorFor(state.curveColors, c.label), { pointRadius: 3 }));
    const hasData = datasets.some((d) => d.data.length > 0);
    const figure = $(`#figure-${chartName}`);
    showFigure(figure, hasData);
    if (hasData) {
      renderChart(figure.querySelector('canvas'), 'line', datasets, chartOptions({
        xTitle: 'tokens', yTitle: axisName(side, fallback), tooltipLabel: scoreTooltip,
      }));
    }
  }

  // (4) learning vs forgetting: one scatter dataset per curve, plus the Pareto front as a line
  {
    const datasets = curves.map((c) => ({
      key: c.label,
      label: c.label,
      data: tokenSeries(c.points ?? [], (p) => p.learning, (p) => p.forgetting, (p) => ({ tokens: p.tokens })),
      borderColor: colorFor(state.curveColors, c.label),
      backgroundColor: colorFor(state.curveColors, c.label),
      pointRadius: 4,
      showLine: false,
    }));
    const hasData = datasets.some((d) => d.data.length > 0);
    const front = tokenSeries(study.pareto ?? [], (p) => p.learning, (p) => p.forgetting, (p) => ({ tokens: p.tokens, name: p.label }))
      .sort((a, b) => a.x - b.x);
    datasets.push({
      key: '\u0000pareto', label: 'Pareto front', type: 'line', data: front, showLine: true, borderColor: INK, backgroundColor: INK,
      borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 6, fill: false,
    });
    const figure = $('#figure-pareto');
    showFigure(figure, hasData);
    if (hasData) {
      renderChart(figure.querySelector('canvas'), 'scatter', datasets, chartOptions({
        xTitle: 'learning: target gain over the base (higher = learns more)',
        yTitle: 'forgetting: source loss vs base (lower is better)',
        xTokens: false,
        tooltipTitle: () => '',
        tooltipLabel: (ctx) => `${ctx.raw?.name ?? ctx.dataset.label}${isNum(ctx.raw?.tokens) ? ` @ ${fmtTokens(ctx.raw.tokens)} tokens` : ''}: learning ${fmtNum(ctx.parsed.x)}, forgetting ${fmtNum(ctx.parsed.y)}`,
      }));
    }
  }

  // (5) ΔW rank vs tokens: one dataset per (curve × module type), plus horizontal references
  {
    const ranks = study.ranks ?? [];
    const datasets = ranks.map((r) => lineDataset(`${r.label}|${r.moduleType}`, `${r.label} · ${r.moduleType}`,
      tokenSeries(r.points ?? [], (p) => p.tokens, (p) => p.rank90), colorFor(state.curveColors, r.label),
      { pointRadius: 3, borderDash: r.moduleType === 'mlp' ? [6, 3] : [], pointStyle: r.moduleType === 'mlp' ? 'rect' : 'circle' }));
    const hasData = datasets.some((d) => d.data.length > 0);
    const xs = datasets.flatMap((d) => d.data.map((p) => p.x));
    const minX = xs.length ? Math.min(...xs) : 0;
    const maxX = xs.length ? Math.max(...xs) : 0;
    const flat = (y) => [{ x: minX, y }, { x: maxX, y }];
    for (const r of study.loraRanks ?? []) {
      datasets.push(lineDataset(`\u0000lora${r}`, `LoRA r = ${r}`, flat(r), '#888', { borderDash: [2, 3], borderWidth: 1 }));
    }
    if (isNum(study.randomRank90)) {
      datasets.push(lineDataset('\u0000random', `random matrix (${fmtNum(study.randomRank90, 3)})`, flat(study.randomRank90), INK, { borderDash: [8, 4], borderWidth: 1 }));
    }
    const figure = $('#figure-rank');
    const anyEvaluated = curves.some((c) => (c.points ?? []).length > 0);
    showFigure(figure, hasData, anyEvaluated ? 'No rank-analysed checkpoints yet' : NO_CHECKPOINTS);
    if (hasData) {
      renderChart(figure.querySelector('canvas'), 'line', datasets, chartOptions({
        xTitle: 'tokens', yTitle: 'rank90 of ΔW',
      }));
    }
  }

  // (6) the findings
  const findings = study.findings ?? [];
  $('#findings').hidden = findings.length === 0;
  $('#no-findings').hidden = findings.length > 0;
  syncRows($('#findings tbody'), findings, (f) => f.id ?? f.claim, () => el('tr', null, el('th', { scope: 'row' }), el('td'), el('td', { class: 'num' }), el('td'), el('td'), el('td')), (row, f) => {
    setText(row.cells[0], f.claim);
    const verdict = f.verdict ?? '—';
    if (row.cells[1].textContent !== verdict) row.cells[1].replaceChildren(el('span', { class: 'verdict', dataset: { verdict: String(verdict).toLowerCase() }, text: verdict }));
    setText(row.cells[2], typeof f.estimate === 'number' ? fmtNum(f.estimate) : fmtValue(f.estimate));
    setText(row.cells[3], f.stdErrParts ?? '—');
    setText(row.cells[4], f.data ?? '—');
    setText(row.cells[5], f.note ?? '');
  });
}

// ---------------------------------------------------------------- run.html

function runPage() {
  const id = params.get('id');
  if (!id) {
    showError(new Error('No run given: open this page as run.html?id=RUN_ID.'));
    return;
  }
  const state = { signature: null, spectrum: null };
  setupSpectrumControls(id, state);

  poll(async () => {
    const data = await getJson(`/api/runs/${enc(id)}`);
    const signature = JSON.stringify(data);
    if (signature !== state.signature) {
      state.signature = signature;
      renderRun(data, state);
    }
    if (document.body.dataset.ready !== 'true') await state.refreshSpectrum();
    markReady();
    return !FINAL_RUN_STATES.has(data.run?.status);
  }, 3000);
}

function definitionRows(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', null, value instanceof Node ? value : fmtValue(value))]));
}

function flatten(value, prefix = '', out = []) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0 && prefix) out.push([prefix, '{}']);
    for (const [key, inner] of entries) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) {
    out.push([prefix, value]);
  }
  return out;
}

function renderRun(data, state) {
  const run = data.run ?? {};
  const name = runName(run);
  document.title = `${name} — run`;
  setText($('#run-name'), name);
  updateBadge($('#run-status'), run.status);

  definitionRows($('#run-summary'), [
    ['cell', run.cellKey], ['label', run.label], ['method', run.method], ['rank', run.rank],
    ['target modules', run.targetModules], ['learning rate', fmtLr(run.learningRate)], ['weight decay', run.weightDecay],
    ['dropout', run.dropout], ['seed', run.seed], ['status', run.status],
    ['step', `${fmtNum(run.step ?? 0)} / ${fmtNum(run.totalSteps)}`],
    ['tokens seen', `${fmtNum(run.tokensSeen ?? 0)} / ${fmtNum(run.totalTokens)}`],
    ['loss', fmtNum(run.loss)], ['tokens / s', isNum(run.tokensPerSecond) ? fmtNum(Math.round(run.tokensPerSecond)) : '—'],
    ['ETA', fmtDuration(run.etaSeconds)], ['checkpoints', `${run.checkpointsDone ?? 0} / ${run.checkpoints ?? 0}`],
  ]);
  const config = flatten(data.config ?? {});
  definitionRows($('#run-config'), config);
  $('#no-config').hidden = config.length > 0;

  // training loss: one dataset
  const curve = data.curve ?? [];
  renderChart($('canvas[data-chart="loss"]'), 'line',
    [lineDataset('loss', 'training loss', downsample(tokenSeries(curve, (p) => p.tokensSeen, (p) => p.loss)), PALETTE[0])],
    chartOptions({ xTitle: 'tokens seen', yTitle: 'training loss' }));
  setText($('#loss-note'), curve.length === 0 ? 'No training steps logged yet.' : '');

  // checkpoints
  const checkpoints = [...(data.checkpoints ?? [])].sort((a, b) => (a.tokensSeen ?? 0) - (b.tokensSeen ?? 0));
  $('#checkpoints').hidden = checkpoints.length === 0;
  $('#no-checkpoints').hidden = checkpoints.length > 0;
  $('#checkpoints tbody').replaceChildren(...checkpoints.map((c) => el('tr', null,
    el('th', { scope: 'row', class: 'num', text: fmtTokens(c.tokensSeen) }),
    el('td', { class: 'num', text: fmtNum(c.step) }),
    el('td', null, timeEl(c.evaluatedAt)),
    el('td', null, timeEl(c.rankAnalysedAt)),
    el('td', null, (c.metrics ?? []).length
      ? el('ul', { class: 'metrics' }, c.metrics.map((m) => el('li', null, el('span', { class: 'metric-name', text: `${m.task}/${m.metric}` }), ` = ${fmtMetric(m)}`)))
      : '—'))));

  // rank analyses
  const ranks = checkpoints.flatMap((c) => (c.ranks ?? []).map((r) => ({ ...r, tokens: c.tokensSeen })))
    .sort((a, b) => a.tokens - b.tokens || a.layer - b.layer || String(a.module).localeCompare(String(b.module)));
  $('#ranks').hidden = ranks.length === 0;
  $('#no-ranks').hidden = ranks.length > 0;
  $('#ranks tbody').replaceChildren(...ranks.map((r) => el('tr', null,
    el('th', { scope: 'row', class: 'num', text: fmtTokens(r.tokens) }),
    el('td', { class: 'num', text: String(r.layer) }),
    el('td', { text: r.module }),
    el('td', { class: 'num', text: fmtNum(r.rank90) }),
    el('td', { class: 'num', text: fmtNum(r.randomRank90) }),
    el('td', { class: 'num', text: fmtNum(r.stableRank) }),
    el('td', { class: 'num', text: fmtNum(r.intruderCount) }))));

  // spectrum selects
  state.checkpoints = checkpoints.filter((c) => (c.ranks ?? []).length > 0);
  const moved = fillSpectrumSelects(state);
  if (moved && document.body.dataset.ready === 'true') state.showSpectrum();

  // failures
  const failures = data.failures ?? [];
  $('#failures').hidden = failures.length === 0;
  $('#no-failures').hidden = failures.length > 0;
  $('#failures').replaceChildren(...failures.map((f) => el('li', null,
    el('strong', { text: f.stage ?? 'unknown stage' }), ': ', f.reason ?? '', ' ', el('span', { class: 'muted' }, '(', timeEl(f.occurredAt), ')'))));
}

function replaceOptions(select, options) {
  const previous = select.value;
  const same = select.options.length === options.length && options.every(([value, text], i) => select.options[i].value === value && select.options[i].text === text);
  if (!same) {
    select.replaceChildren(...options.map(([value, text]) => el('option', { value, text })));
    if (options.some(([value]) => value === previous)) select.value = previous;
    else if (options.length) select.value = options[options.length - 1][0];
  }
  select.disabled = options.length === 0;
}

function fillSpectrumSelects(state) {
  const checkpointSelect = $('#spectrum-checkpoint');
  const matrixSelect = $('#spectrum-matrix');
  const hadCheckpoint = checkpointSelect.value;
  replaceOptions(checkpointSelect, state.checkpoints.map((c) => [c.id, `${fmtTokens(c.tokensSeen)} tokens (step ${fmtNum(c.step)})`]));
  const checkpoint = state.checkpoints.find((c) => c.id === checkpointSelect.value);
  const matrices = (checkpoint?.ranks ?? []).slice().sort((a, b) => a.layer - b.layer || String(a.module).localeCompare(String(b.module)));
  const hadMatrix = matrixSelect.value;
  const options = matrices.map((r) => [`${r.layer}|${r.module}`, `layer ${r.layer} · ${r.module}`]);
  replaceOptions(matrixSelect, options);
  if (!options.some(([v]) => v === hadMatrix) && options.length) matrixSelect.value = options[0][0];
  showFigure($('#figure-spectrum'), state.checkpoints.length > 0, 'No rank-analysed checkpoints yet');
  return checkpointSelect.value !== hadCheckpoint || matrixSelect.value !== hadMatrix;
}

function setupSpectrumControls(runId, state) {
  const checkpointSelect = $('#spectrum-checkpoint');
  const matrixSelect = $('#spectrum-matrix');
  let shown = null;
  state.refreshSpectrum = async () => {
    const checkpointId = checkpointSelect.value;
    const [layer, module] = (matrixSelect.value || '').split('|');
    if (!checkpointId || !module) return;
    const key = `${checkpointId}|${layer}|${module}`;
    if (key === shown) return;
    const data = await getJson(`/api/runs/${enc(runId)}/spectrum?checkpoint=${enc(checkpointId)}&layer=${enc(layer)}&module=${enc(module)}`);
    if (checkpointSelect.value !== checkpointId || matrixSelect.value !== `${layer}|${module}`) return; // a newer choice won
    shown = key;
    const values = data.values ?? [];
    const canvas = $('canvas[data-chart="spectrum"]');
    const label = `layer ${layer} · ${module}`;
    renderChart(canvas, 'line', [lineDataset('spectrum', `singular values, ${label}`,
      values.map((v, i) => ({ x: i + 1, y: isNum(v) && v > 0 ? v : null })), PALETTE[0], { pointRadius: values.length <= 64 ? 2 : 0 })],
    chartOptions({ xTitle: 'index', yTitle: 'singular value (log scale)', xTokens: false, logY: true, xMin: 1, xMax: Math.max(values.length, 2) }));
    canvas.setAttribute('aria-label', `Singular values of ΔW for ${label}, log scale`);
    const checkpoint = state.checkpoints?.find((c) => c.id === checkpointId);
    const rank = checkpoint?.ranks?.find((r) => String(r.layer) === layer && r.module === module);
    setText($('#spectrum-note'), rank ? `rank90 = ${fmtNum(rank.rank90)}, random-matrix rank90 = ${fmtNum(rank.randomRank90)}, stable rank = ${fmtNum(rank.stableRank)}` : '');
  };
  const onChange = async (event) => {
    if (event.target === checkpointSelect) fillSpectrumSelects(state);
    try {
      await state.refreshSpectrum();
      clearError();
    } catch (error) {
      showError(error);
    }
  };
  checkpointSelect.addEventListener('change', onChange);
  matrixSelect.addEventListener('change', onChange);
  state.showSpectrum = () => onChange({ target: null });
}

// ---------------------------------------------------------------- compare.html

async function comparePage() {
  const ids = (params.get('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) {
    showError(new Error('No runs given: open this page as compare.html?runs=RUN_ID_1,RUN_ID_2.'));
    return;
  }
  const results = await Promise.allSettled(ids.map((id) => getJson(`/api/runs/${enc(id)}`)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) showError(new Error(failed.map((r) => r.reason.message).join('; ')));
  const runs = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const colors = new Map();
  const names = runs.map((r) => runName(r.run ?? {}));
  document.title = `Compare ${names.join(', ')}`;

  $('#compared-runs').replaceChildren(...runs.map((r, i) => {
    const swatch = el('span', { class: 'swatch', 'aria-hidden': 'true' });
    swatch.style.backgroundColor = colorFor(colors, r.run.id);
    return el('li', null, swatch, el('a', { href: `run.html?id=${enc(r.run.id)}`, text: names[i] }), ' ',
      el('span', { class: 'muted' }, `${r.run.method ?? ''}${r.run.rank != null ? ` r=${r.run.rank}` : ''}, lr ${fmtLr(r.run.learningRate)}`), ' ', statusBadge(r.run.status));
  }));

  // training-loss overlay
  renderChart($('canvas[data-chart="compare-loss"]'), 'line',
    runs.map((r, i) => lineDataset(r.run.id, names[i], downsample(tokenSeries(r.curve ?? [], (p) => p.tokensSeen, (p) => p.loss)), colorFor(colors, r.run.id))),
    chartOptions({ xTitle: 'tokens seen', yTitle: 'training loss' }));

  // metrics table: one column per run, one row per (tokens, task, metric)
  const rows = new Map();
  runs.forEach((r, column) => {
    for (const c of r.checkpoints ?? []) {
      for (const m of c.metrics ?? []) {
        const key = JSON.stringify([c.tokensSeen, m.task, m.metric]);
        if (!rows.has(key)) rows.set(key, { tokens: c.tokensSeen, task: m.task, metric: m.metric, domain: m.domain, cells: new Array(runs.length).fill(null) });
        rows.get(key).cells[column] = m;
      }
    }
  });
  const domainOrder = (d) => (d === 'target' ? 0 : d === 'source' ? 1 : 2);
  const sorted = [...rows.values()].sort((a, b) => (a.tokens ?? 0) - (b.tokens ?? 0) || domainOrder(a.domain) - domainOrder(b.domain)
    || String(a.task).localeCompare(String(b.task)) || String(a.metric).localeCompare(String(b.metric)));
  $('#compare-metrics thead tr').replaceChildren(
    el('th', { scope: 'col', text: 'Tokens' }), el('th', { scope: 'col', text: 'Task' }), el('th', { scope: 'col', text: 'Metric' }),
    ...names.map((n) => el('th', { scope: 'col', class: 'num', text: n })));
  $('#compare-metrics tbody').replaceChildren(...sorted.map((row) => el('tr', null,
    el('th', { scope: 'row', class: 'num', text: fmtTokens(row.tokens) }),
    el('td', null, row.task, row.domain ? el('span', { class: 'muted small', text: ` (${row.domain})` }) : null),
    el('td', { text: row.metric }),
    ...row.cells.map((m) => el('td', { class: 'num', text: m ? fmtMetric(m) : '—' })))));
  $('#compare-metrics').hidden = sorted.length === 0;
  $('#no-compare-metrics').hidden = sorted.length > 0;

  // learning metric per run, if the runs share a target metric
  const figure = $('#figure-compare-learning');
  const shared = sharedTargetMetric(runs);
  showFigure(figure, shared !== null, runs.length ? 'The runs share no evaluated target metric.' : 'No runs to compare.');
  if (shared) {
    setText($('#compare-learning-caption'), `Learning: ${shared.task}/${shared.metric} (target domain) vs tokens, one series per run`);
    const datasets = runs.map((r, i) => lineDataset(r.run.id, names[i], (r.checkpoints ?? [])
      .map((c) => ({ c, m: (c.metrics ?? []).find((m) => m.task === shared.task && m.metric === shared.metric) }))
      .filter(({ c, m }) => m && isNum(m.value) && isNum(c.tokensSeen))
      .map(({ c, m }) => ({ x: c.tokensSeen, y: m.value, se: m.stdErr }))
      .sort((a, b) => a.x - b.x), colorFor(colors, r.run.id), { pointRadius: 3 }));
    renderChart(figure.querySelector('canvas'), 'line', datasets, chartOptions({ xTitle: 'tokens', yTitle: `${shared.task}/${shared.metric}`, tooltipLabel: scoreTooltip }));
  }
  markReady();
}

function sharedTargetMetric(runs) {
  if (runs.length === 0) return null;
  const has = (r, task, metric) => (r.checkpoints ?? []).some((c) => (c.metrics ?? []).some((m) => m.task === task && m.metric === metric && isNum(m.value)));
  for (const c of runs[0].checkpoints ?? []) {
    for (const m of c.metrics ?? []) {
      if (m.domain === 'target' && runs.every((r) => has(r, m.task, m.metric))) return { task: m.task, metric: m.metric };
    }
  }
  return null;
}

// ---------------------------------------------------------------- start

if (DARK && typeof Chart !== 'undefined') {
  Chart.defaults.color = '#c8ced8';
  Chart.defaults.borderColor = 'rgba(255, 255, 255, 0.14)';
}

const pages = { list: listPage, experiment: experimentPage, run: runPage, compare: comparePage };
const start = pages[document.body.dataset.page];
if (start) {
  Promise.resolve().then(start).catch(showError);
} else {
  showError(new Error(`Unknown page '${document.body.dataset.page}'`));
}
