/**
 * The dashboard in a real browser: Debian's Chromium, driven by playwright-core, opens the
 * page while a real worker computes a sweep, and the page follows the sweep to its end over
 * the event stream (the sweep's view is never polled), in its view and in its rows of the
 * sweep and run lists alike, then shows its table and figure. The screenshot is left in
 * test-results/dashboard.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const CHROMIUM = '/usr/bin/chromium';
const RESULTS_DIR = resolve(import.meta.dirname, '../../test-results');

const sweep = {
  name: 'dashboard-e2e',
  base: { task: { kind: 'quadratic' }, steps: 20, nTests: 4, seed: 7 },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
      grid: { 'optimizer.lr': [0.1, 0.03] },
    },
    { with: { kind: 'baseline', optimizer: { name: 'sgd', lr: 0.01 } } },
    {
      with: {
        kind: 'evaluate',
        trained: {
          metaTrain: { epochs: 2, rolloutsPerEpoch: 2, steps: 20, unroll: 10, nTests: 4 },
        },
      },
    },
  ],
};

interface ImageState {
  readonly complete: boolean;
  readonly naturalWidth: number;
}

/** Far longer than the test: the lists are read once, at load, and never re-read. */
const NO_LIST_REFRESH = '?listRefreshMs=3600000';

const skipReason = `skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`;

describe.skipIf(!existsSync(CHROMIUM))(
  `the dashboard in Chromium (${skipReason} otherwise)`,
  () => {
    let api: TestApi;
    let worker: TestWorker;
    let browser: BrowserContext;
    let profile: string;
    let baseUrl: string;

    beforeAll(async () => {
      const services = await testServices('dashboard');
      api = await startTestApi(services);
      await api.app.listen({ host: '127.0.0.1', port: 0 });
      baseUrl = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
      worker = spawnWorker(services);

      profile = await mkdtemp(join(tmpdir(), 'metaopt-chromium-'));
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1400, height: 1000 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });
    afterAll(async () => {
      await browser?.close();
      if (profile) await rm(profile, { recursive: true, force: true });
      await worker?.stop();
      await api?.close();
    });

    it('follows a running sweep to its end live, then shows its table and figure', async () => {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      let listReads = 0;
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/v1/sweeps') listReads += 1;
      });

      const response = await api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweep });
      const { id } = response.json();
      await page.goto(`${baseUrl}/dashboard${NO_LIST_REFRESH}#/sweeps/${id}`);

      // 1. Listed, selected, and followed while it runs.
      await page.locator(`#sweeps tr[data-sweep-id="${id}"]`).waitFor();
      await expect.poll(() => page.locator('#sweep-name').textContent()).toBe('dashboard-e2e');
      await expect.poll(() => page.locator('#sweep-runs tbody tr').count()).toBe(5);

      // 2. Settled through the event stream: the sweep's view is re-read only on its events.
      await page
        .locator('#sweep-status[data-status="succeeded"]')
        .waitFor({ timeout: 240_000 })
        .catch((error: Error) => {
          throw new Error(`${error.message}\n${worker.output().slice(-3000)}`);
        });
      expect(Number(await page.locator('#live').getAttribute('data-events'))).toBeGreaterThan(0);
      await expect.poll(() => page.locator('#live').textContent()).toBe('settled');

      // 3. The lists agree with the view, though read only at load, when the sweep was not
      // finished (it had events to stream): their rows of this sweep followed its stream.
      // Regression: the list showed the sweep queued beside its view saying succeeded.
      const sweepRow = page.locator(`#sweeps tr[data-sweep-id="${id}"]`);
      await expect
        .poll(() => sweepRow.getAttribute('data-status'), { timeout: 2000 })
        .toBe('succeeded');
      const runIds = await page
        .locator('#sweep-runs tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));
      const listed = await page
        .locator('#runs tbody tr')
        .evaluateAll((rows) =>
          rows.map((row) => [row.getAttribute('data-run-id'), row.getAttribute('data-status')]),
        );
      expect(Object.fromEntries(listed.filter(([runId]) => runIds.includes(runId)))).toEqual(
        Object.fromEntries(runIds.map((runId) => [runId, 'succeeded'])),
      );
      expect(listReads).toBe(1);

      // 4. The table ranks the best run of each optimizer; the figure is drawn.
      await expect.poll(() => page.locator('#results tbody tr').count()).toBe(3);
      const contenders = await page
        .locator('#results tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-contender')));
      expect([...contenders].sort()).toEqual(['adam', 'lstm', 'sgd']);
      const figure = page.locator('#figure img');
      await expect
        .poll(() =>
          // No DOM types here (tsconfig has no "dom" lib): the element as far as it is read.
          figure.evaluate((img) => {
            const { complete, naturalWidth } = img as unknown as ImageState;
            return complete ? naturalWidth : 0;
          }),
        )
        .toBeGreaterThan(0);
      const statuses = await page
        .locator('#sweep-runs tbody tr')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
      expect(statuses).toEqual(Array(5).fill('succeeded'));

      await mkdir(RESULTS_DIR, { recursive: true });
      await page.screenshot({ path: join(RESULTS_DIR, 'dashboard.png'), fullPage: true });
      expect(pageErrors).toEqual([]);
    });
  },
);
