// Headless-browser tests of the results dashboard, against a running dashboard server.
//   DASHBOARD_URL      base address of the server, e.g. http://127.0.0.1:5080 (the suite is skipped without it)
//   DASHBOARD_TOKEN    bearer token for POST /api/experiments
//   LIVE_REQUEST_FILE  a small experiment request (JSON) for the live-growth test
//   SCREENSHOTS        where the screenshots go (default tests/browser/screenshots)
//   CHROMIUM           the browser binary (default /usr/bin/chromium)
// Run: node --test tests/browser/
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const BASE = (process.env.DASHBOARD_URL ?? '').replace(/\/+$/, '');
const TOKEN = process.env.DASHBOARD_TOKEN ?? '';
const LIVE_REQUEST_FILE = process.env.LIVE_REQUEST_FILE ?? '';
const SHOTS = path.resolve(process.env.SCREENSHOTS ?? path.join(here, 'screenshots'));
const LIVE_WAIT_MS = 4 * 60_000;

let browser;
let context;
const pageErrors = [];

async function newPage() {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') console.log(`  [browser console] ${page.url()}: ${message.text()}`);
  });
  return page;
}

async function waitReady(page, timeout = 30_000) {
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout });
}

async function apiJson(route) {
  const response = await fetch(BASE + route, { headers: { Accept: 'application/json' } });
  assert.equal(response.status, 200, `GET ${route} answered ${response.status}`);
  return response.json();
}

/** What the page's Chart.js instance on canvas[data-chart=name] holds. */
async function chartInfo(page, name) {
  return page.evaluate((chartName) => {
    const canvas = document.querySelector(`canvas[data-chart="${chartName}"]`);
    if (!canvas) return { canvas: false };
    const chart = window.Chart?.getChart(canvas);
    return {
      canvas: true,
      ariaLabel: canvas.getAttribute('aria-label') ?? '',
      inFigure: Boolean(canvas.closest('figure')?.querySelector('figcaption')?.textContent.trim()),
      visible: canvas.getClientRects().length > 0,
      chart: Boolean(chart),
      id: chart?.id ?? null,
      datasets: chart ? chart.data.datasets.length : null,
      points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : null,
    };
  }, name);
}

async function assertChart(page, name, expectedDatasets) {
  const info = await chartInfo(page, name);
  assert.ok(info.canvas, `no canvas[data-chart=${name}]`);
  assert.ok(info.chart, `canvas[data-chart=${name}] has no chart (is the "no data" text shown instead?)`);
  assert.ok(info.visible, `chart ${name} is not visible`);
  assert.ok(info.ariaLabel.length > 0, `chart ${name} has no aria-label`);
  assert.ok(info.inFigure, `chart ${name} is not in a <figure> with a <figcaption>`);
  assert.equal(info.datasets, expectedDatasets, `chart ${name}: datasets`);
  return info;
}

async function screenshot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

function idFrom(href) {
  return new URL(href, 'http://x/').searchParams.get('id');
}

async function readRequest() {
  const file = LIVE_REQUEST_FILE || path.join(repoRoot, 'experiments', 'code-cpt.json');
  return JSON.parse(await fs.readFile(file, 'utf8'));
}

function post(body, token) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(`${BASE}/api/experiments`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('dashboard', { skip: BASE ? false : 'DASHBOARD_URL is not set' }, () => {
  before(async () => {
    await fs.mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox'],
    });
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme: 'light' });
  });

  after(async () => {
    await browser?.close();
  });

  test('the experiments list opens and shows at least one experiment', async () => {
    const experiments = await apiJson('/api/experiments');
    const page = await newPage();
    const started = Date.now();
    await page.goto(`${BASE}/index.html`);
    await waitReady(page);
    const wallMs = Date.now() - started;
    const readyMs = await page.evaluate(() => performance.getEntriesByName('dashboard-ready')[0]?.startTime ?? null);
    console.log(`list page load (navigation start -> body[data-ready=true]): ${readyMs?.toFixed(0)} ms in the page, ${wallMs} ms seen from the test`);
    assert.ok(Number.isFinite(readyMs) && readyMs > 0, 'the page did not mark dashboard-ready');

    const rows = page.locator('#experiments tbody tr');
    const count = await rows.count();
    assert.ok(count >= 1, 'no experiment row in the list');
    const first = rows.first();
    const href = await first.locator('a').first().getAttribute('href');
    assert.match(href, /^experiment\.html\?id=/);
    const listed = await rows.locator('th a').allTextContents();
    assert.ok(listed.includes(experiments[0].name), `${JSON.stringify(experiments[0].name)} not in the list`);
    assert.equal(await page.locator('#experiments tbody progress').count(), count, 'one <progress> per row');
    assert.equal(await page.locator('[role="alert"]').textContent(), '', 'the error box is not empty');
    await screenshot(page, 'list.png');
    await page.close();
  });

  test('click through to a completed experiment and one of its runs; charts match the API', async () => {
    const page = await newPage();
    await page.goto(`${BASE}/index.html`);
    await waitReady(page);

    // keyboard: the first tab stop is the skip link, it shows a focus outline and moves focus to <main>
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => ({
      text: document.activeElement?.textContent ?? '',
      outline: getComputedStyle(document.activeElement).outlineStyle,
    }));
    assert.match(skip.text, /skip to content/i);
    assert.notEqual(skip.outline, 'none', 'no visible focus outline on the skip link');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'content');

    const completed = page.locator('#experiments tbody tr[data-status="Completed"]');
    assert.ok(await completed.count() > 0, 'no Completed experiment in the list');
    const link = completed.first().locator('th a');
    const experimentId = idFrom(await link.getAttribute('href'));
    await Promise.all([page.waitForURL(/experiment\.html\?id=/), link.click()]);
    await waitReady(page);

    const [experiment, curves, study] = await Promise.all([
      apiJson(`/api/experiments/${experimentId}`),
      apiJson(`/api/experiments/${experimentId}/curves`),
      apiJson(`/api/experiments/${experimentId}/study`),
    ]);
    assert.equal(await page.locator('#runs tbody tr').count(), experiment.runs.length, 'one grid row per run');
    const loss = await assertChart(page, 'loss', curves.runs.length);
    await assertChart(page, 'learning', study.curves.length);
    await assertChart(page, 'forgetting', study.curves.length);
    await assertChart(page, 'pareto', study.curves.length + 1);
    if (study.ranks.length > 0) {
      const references = (study.loraRanks?.length ?? 0) + (study.randomRank90 == null ? 0 : 1);
      await assertChart(page, 'rank', study.ranks.length + references);
    }
    assert.equal(await page.locator('#findings tbody tr').count(), study.findings.length, 'one row per finding');
    assert.equal(await page.locator('#metrics-csv').getAttribute('href'), `/api/experiments/${experiment.id}/metrics.csv`);

    // interactive: hovering the loss chart shows a tooltip; clicking the first legend item hides that series
    if (loss.points > 0) {
      await page.locator('canvas[data-chart="loss"]').scrollIntoViewIfNeeded();
      const box = await page.locator('canvas[data-chart="loss"]').boundingBox();
      const area = await page.evaluate(() => Chart.getChart(document.querySelector('canvas[data-chart="loss"]')).chartArea);
      await page.mouse.move(box.x + (area.left + area.right) / 2, box.y + (area.top + area.bottom) / 2);
      await page.waitForFunction(() => Chart.getChart(document.querySelector('canvas[data-chart="loss"]')).tooltip.getActiveElements().length > 0, null, { timeout: 5000 });
      const hit = await page.evaluate(() => {
        const chart = Chart.getChart(document.querySelector('canvas[data-chart="loss"]'));
        const item = chart.legend.legendHitBoxes[0];
        return { x: item.left + item.width / 2, y: item.top + item.height / 2 };
      });
      const visible = () => page.evaluate(() => Chart.getChart(document.querySelector('canvas[data-chart="loss"]')).isDatasetVisible(0));
      await page.mouse.click(box.x + hit.x, box.y + hit.y);
      // Chart.js handles DOM events on the next animation frame
      await page.waitForFunction(() => !Chart.getChart(document.querySelector('canvas[data-chart="loss"]')).isDatasetVisible(0), null, { timeout: 5000 })
        .catch(() => {});
      assert.equal(await visible(), false, 'a click on the first legend item did not hide its series');
      await page.mouse.click(box.x + hit.x, box.y + hit.y);
      await page.waitForFunction(() => Chart.getChart(document.querySelector('canvas[data-chart="loss"]')).isDatasetVisible(0), null, { timeout: 5000 })
        .catch(() => {});
      assert.equal(await visible(), true, 'a second click on the legend item did not show its series again');
      await page.mouse.move(0, 0);
    }
    await screenshot(page, 'experiment.png');

    // keyboard: focus the first run's link and press Enter
    const runLink = page.locator('#runs tbody tr th a').first();
    const runId = idFrom(await runLink.getAttribute('href'));
    await runLink.focus();
    await Promise.all([page.waitForURL(/run\.html\?id=/), page.keyboard.press('Enter')]);
    await waitReady(page);

    const run = await apiJson(`/api/runs/${runId}`);
    await assertChart(page, 'loss', 1);
    assert.equal(await page.locator('#checkpoints tbody tr').count(), run.checkpoints.length, 'one row per checkpoint');
    const rankRows = run.checkpoints.reduce((n, c) => n + (c.ranks?.length ?? 0), 0);
    assert.equal(await page.locator('#ranks tbody tr').count(), rankRows, 'one row per rank analysis');
    if (rankRows > 0) {
      await page.waitForFunction(() => {
        const canvas = document.querySelector('canvas[data-chart="spectrum"]');
        return Boolean(canvas && Chart.getChart(canvas));
      }, null, { timeout: 10_000 });
      await assertChart(page, 'spectrum', 1);
    }
    if (run.failures.length === 0) assert.ok(await page.getByText('No failures').isVisible());
    else assert.equal(await page.locator('#failures li').count(), run.failures.length);
    assert.ok(await page.locator('#run-config dt').count() > 0 || Object.keys(run.config ?? {}).length === 0, 'config not shown');
    await screenshot(page, 'run.png');
    await page.close();
  });

  test('compare two runs of a completed experiment', async (t) => {
    const experiments = await apiJson('/api/experiments');
    const done = experiments.find((e) => e.status === 'Completed' && e.runs >= 2);
    if (!done) return t.skip('no Completed experiment with two runs');
    const page = await newPage();
    await page.goto(`${BASE}/experiment.html?id=${encodeURIComponent(done.id)}`);
    await waitReady(page);
    const button = page.locator('#compare-selected');
    assert.ok(await button.isDisabled(), 'compare is enabled with nothing selected');
    const boxes = page.locator('#runs tbody input[type="checkbox"]');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await Promise.all([page.waitForURL(/compare\.html\?runs=/), button.click()]);
    await waitReady(page);
    assert.equal(new URL(page.url()).searchParams.get('runs').split(',').length, 2);
    await assertChart(page, 'compare-loss', 2);
    assert.equal(await page.locator('#compare-metrics thead th').count(), 3 + 2, 'one column per run');
    await screenshot(page, 'compare.png');
    await page.close();
  });

  test('live: the loss chart of a newly submitted experiment grows while a run trains', { timeout: LIVE_WAIT_MS + 120_000 }, async (t) => {
    if (!LIVE_REQUEST_FILE) return t.skip('LIVE_REQUEST_FILE is not set');
    if (!TOKEN) return t.skip('DASHBOARD_TOKEN is not set');
    const request = await readRequest();
    request.name = `${String(request.name ?? 'live').slice(0, 80)}-${Date.now().toString(36)}`;
    const response = await post(request, TOKEN);
    const text = await response.text();
    assert.equal(response.status, 201, `POST /api/experiments: ${response.status} ${text}`);
    const created = JSON.parse(text);
    assert.ok(created.id, 'no id in the 201 answer');
    console.log(`submitted ${created.name ?? request.name} (${created.id}), ${created.runCount} run(s)`);

    const page = await newPage();
    await page.goto(`${BASE}/experiment.html?id=${encodeURIComponent(created.id)}`);
    await waitReady(page);
    const first = await chartInfo(page, 'loss');
    assert.ok(first.chart, 'no loss chart on the new experiment page');

    const samples = [];
    let growth = 0;
    let previous = null;
    const deadline = Date.now() + LIVE_WAIT_MS;
    while (growth < 2 && Date.now() < deadline) {
      await page.waitForTimeout(2500);
      const sample = await page.evaluate(() => {
        const chart = Chart.getChart(document.querySelector('canvas[data-chart="loss"]'));
        return {
          chartId: chart?.id ?? null,
          points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
          training: document.querySelectorAll('#runs tbody tr[data-status="Training"]').length,
          status: document.querySelector('#experiment-status')?.dataset.status,
        };
      });
      samples.push(sample);
      if (previous !== null && sample.points > previous && sample.training > 0) growth++;
      previous = sample.points;
      if (sample.status === 'Completed') break;
    }
    const trace = samples.map((s) => `${s.points}${s.training ? '*' : ''}`).join(' ');
    console.log(`live samples (points, * = a run Training): ${trace}`);
    await screenshot(page, 'live.png');
    assert.ok(growth >= 2, `the loss chart grew ${growth} time(s) while a run was Training: ${trace}`);
    assert.ok(samples.every((s) => s.chartId === first.id), 'the loss chart was recreated instead of updated in place');
    await page.close();
  });

  test('the API rejects a POST without a token (401) and an invalid body (400 problem details)', async (t) => {
    const request = await readRequest();
    const invalid = { ...request, name: `browser-test-invalid-${Date.now().toString(36)}`, tokenBudget: -1 };

    const anonymous = await post(invalid, null);
    assert.equal(anonymous.status, 401, 'POST without a token');
    const wrong = await post(invalid, `${TOKEN || 'x'}-not-the-token`);
    assert.equal(wrong.status, 401, 'POST with a wrong token');

    if (!TOKEN) return t.skip('DASHBOARD_TOKEN is not set: the 400 check needs it');
    const rejected = await post(invalid, TOKEN);
    const text = await rejected.text();
    assert.equal(rejected.status, 400, `invalid body: ${rejected.status} ${text}`);
    assert.match(rejected.headers.get('content-type') ?? '', /json/);
    const problem = JSON.parse(text);
    assert.equal(problem.status, 400);
    assert.ok(problem.title, 'problem details without a title');
    const fields = Object.keys(problem.errors ?? {});
    assert.ok(fields.some((f) => f.startsWith('$.')), `no "$." field in errors: ${JSON.stringify(problem.errors)}`);
    assert.ok(fields.includes('$.tokenBudget'), `the invalid field $.tokenBudget is not named: ${fields.join(', ')}`);
  });

  test('no uncaught errors in any page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
